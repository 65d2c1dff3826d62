package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"asyncworkbook/phases/demos"
	"asyncworkbook/phases/trace"
	"asyncworkbook/tui/internal/exercise"
	"asyncworkbook/tui/internal/progress"
	"asyncworkbook/tui/internal/testkeys"
	"asyncworkbook/tui/internal/tracestate"
)

// probe is a message that does nothing; sending it makes the program's
// filter look at the model again.
type probe struct{}

// TestTeatestStepTenEvents runs the whole program (fixed 100×30, ASCII
// colour profile): open the first lesson, open its visualiser, step ten
// events, and check the task table against the same demo's first eleven
// events replayed through a Recorder.
//
// Synchronisation is by model state, not by time: a program filter (it
// runs on the program's goroutine) publishes the top screen and the
// visualiser's cursor in atomics, and the test waits for them.
func TestTeatestStepTenEvents(t *testing.T) {
	t.Setenv(progress.EnvPath, filepath.Join(t.TempDir(), "progress.json"))
	e, err := loadEnv()
	if err != nil {
		t.Fatal(err)
	}
	lesson := e.cat.Lessons()[0]
	demo, ok := demos.Get(lesson.Demo)
	if !ok {
		t.Skipf("lesson %s has no demo yet", lesson.ID)
	}
	app := NewApp(e.cat, &e.prog, e.progPath, exercise.Checker{Root: e.root}, e.notice)

	var top, pos atomic.Int64
	filter := func(m tea.Model, msg tea.Msg) tea.Msg {
		if a, ok := m.(*App); ok {
			top.Store(int64(a.top()))
			if a.top() == screenVisual {
				pos.Store(int64(a.visual.History().Pos()))
			}
		}
		return msg
	}
	tm := teatest.NewTestModel(t, app,
		teatest.WithInitialTermSize(100, 30),
		teatest.WithProgramOptions(tea.WithFilter(filter), tea.WithColorProfile(colorprofile.Ascii)))
	var out bytes.Buffer
	waitFor := func(what string, cond func() bool) {
		t.Helper()
		teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
			out.Write(b)
			tm.Send(probe{})
			return cond()
		}, teatest.WithDuration(15*time.Second), teatest.WithCheckInterval(10*time.Millisecond))
	}

	tm.Send(testkeys.Key("enter"))
	waitFor("the lesson", func() bool { return top.Load() == int64(screenLesson) })
	tm.Send(testkeys.Key("v"))
	waitFor("the first stop", func() bool { return top.Load() == int64(screenVisual) && pos.Load() == 1 })
	for range 10 {
		tm.Send(testkeys.Key("n"))
	}
	waitFor("ten steps", func() bool { return pos.Load() == 11 })

	tm.Send(testkeys.Key("ctrl+c"))
	final := tm.FinalModel(t, teatest.WithFinalTimeout(10*time.Second)).(*App)
	got := final.visual.History().State()

	// What the same demo's first eleven events say.
	rec := trace.NewRecorder(1 << 16)
	if err := demo.Run(rec); err != nil {
		t.Fatal(err)
	}
	var want tracestate.State
	evs := rec.Events()
	for i := range evs[:11] {
		want.Apply(&evs[i])
	}
	view := testkeys.Plain(final.visual.View())
	if len(got.Tasks) != len(want.Tasks) {
		t.Fatalf("%d tasks on screen, want %d\n%s", len(got.Tasks), len(want.Tasks), view)
	}
	for i, w := range want.Tasks {
		g := got.Tasks[i]
		if g.Task != w.Task || g.Status != w.Status || g.Name != w.Name {
			t.Errorf("task %d: %s %q %s, want %s %q %s", i, got.Label(g.Key), g.Name, g.Status, want.Label(w.Key), w.Name, w.Status)
		}
		// The table shows each state as glyph and word.
		if !strings.Contains(view, w.Status.String()) {
			t.Errorf("the table does not show %q:\n%s", w.Status, view)
		}
	}
	if !strings.Contains(view, "event 11/11") {
		t.Errorf("the view is not at event 11:\n%s", view)
	}
	if !bytes.Contains(out.Bytes(), []byte("Visualiser")) {
		t.Error("the program never drew the visualiser")
	}
	if final.top() != screenHome || !final.quitting {
		t.Errorf("after ctrl+c: screen %d, quitting %v", final.top(), final.quitting)
	}
}
