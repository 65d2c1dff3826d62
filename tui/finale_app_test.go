package main

import (
	"bytes"
	"context"
	"flag"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"asyncworkbook/phases"
	"asyncworkbook/tui/internal/exercise"
	"asyncworkbook/tui/internal/finale"
	"asyncworkbook/tui/internal/progress"
	"asyncworkbook/tui/internal/testkeys"
)

// updateGolden reports -update (teatest defines the flag; it rewrites
// this package's golden files too).
func updateGolden() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// fakeBench is a finale.Machine that answers at once with canned load
// lines, or, with a gate, holds each measurement until the gate opens or
// the run is cancelled. It counts the servers started and stopped and
// the measurements cancelled, so a test can tell that leaving the
// finale stopped everything it started.
type fakeBench struct {
	gate chan struct{} // nil: answer at once

	mu                         sync.Mutex
	served, stopped, cancelled int
	measuring                  chan struct{} // if set, told when a measurement starts
}

var fakeLines = map[string]string{"pool": "300000 2000", "gnet": "240000 2600", "goroutines": "150000 4000"}

func (f *fakeBench) Build(context.Context) error { return nil }

func (f *fakeBench) Serve(_ context.Context, c finale.Case) (string, int, func(), error) {
	f.mu.Lock()
	f.served++
	f.mu.Unlock()
	return c.Label, 42, func() {
		f.mu.Lock()
		f.stopped++
		f.mu.Unlock()
	}, nil
}

func (f *fakeBench) Measure(ctx context.Context, addr string, _ int, _ finale.Load) (string, error) {
	if f.measuring != nil {
		select {
		case f.measuring <- struct{}{}:
		default:
		}
	}
	if f.gate != nil {
		select {
		case <-f.gate:
		case <-ctx.Done():
			f.mu.Lock()
			f.cancelled++
			f.mu.Unlock()
			return "", ctx.Err()
		}
	}
	return fakeLines[addr], nil
}

func (f *fakeBench) counts() (served, stopped, cancelled int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.served, f.stopped, f.cancelled
}

var testLoad = finale.Load{Conns: 64, Size: 64, Warmup: time.Second, Duration: 3 * time.Second}

// TestFinaleFromTheLessonKey is the flow, in the whole program (teatest,
// 80×24, ASCII colours): home resumes at the finale lesson, enter opens
// it, f opens the finale and the run goes to the end (progress bar, bar
// charts: golden at 80×24); esc comes back to the lesson; f again starts
// another run and ctrl+c in the middle of it quits the program as an
// interrupt (exit 130) with the measurement cancelled and every server
// stopped.
func TestFinaleFromTheLessonKey(t *testing.T) {
	t.Setenv(progress.EnvPath, filepath.Join(t.TempDir(), "progress.json"))
	e, err := loadEnv()
	if err != nil {
		t.Fatal(err)
	}
	e.prog.LastLesson = "p4-benchmark"
	app := NewApp(e.cat, &e.prog, e.progPath, exercise.Checker{Root: e.root}, e.notice)
	fb := &fakeBench{}
	app.SetFinale(fb, finale.Cases(1, 2), testLoad, "")

	var top, done atomic.Int64
	var doneView atomic.Value
	filter := func(m tea.Model, msg tea.Msg) tea.Msg {
		if a, ok := m.(*App); ok {
			top.Store(int64(a.top()))
			if a.top() == screenFinale && a.finale.Done() {
				done.Store(1)
				doneView.Store(a.View().Content)
			}
		}
		return msg
	}
	tm := teatest.NewTestModel(t, app,
		teatest.WithInitialTermSize(80, 24),
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
	waitFor("the finale lesson", func() bool { return top.Load() == int64(screenLesson) })
	tm.Send(testkeys.Key("f"))
	waitFor("the finale, run to the end", func() bool { return done.Load() == 1 })
	view := testkeys.Plain(doneView.Load().(string))
	testkeys.Golden(t, updateGolden(), "finale-80x24-done.golden", view)
	for _, want := range []string{"6/6 · ✓ done", "Round trips per second", "Server CPU per round trip", "✓ 1.25× vs gnet", "R restart · q back"} {
		if !strings.Contains(view, want) {
			t.Errorf("the finale at the end does not show %q:\n%s", want, view)
		}
	}
	if served, stopped, _ := fb.counts(); served != 6 || stopped != 6 {
		t.Errorf("%d servers started, %d stopped, want 6 and 6", served, stopped)
	}

	tm.Send(testkeys.Key("esc"))
	waitFor("back at the lesson", func() bool { return top.Load() == int64(screenLesson) })

	// A second run, held in its first measurement, then ctrl+c.
	fb.mu.Lock()
	fb.gate, fb.measuring = make(chan struct{}), make(chan struct{}, 1)
	fb.mu.Unlock()
	tm.Send(testkeys.Key("f"))
	<-fb.measuring
	tm.Send(testkeys.Key("ctrl+c"))
	final := tm.FinalModel(t, teatest.WithFinalTimeout(10*time.Second)).(*App)
	if !final.interrupted || !final.quitting {
		t.Errorf("ctrl+c in the finale: interrupted %v, quitting %v (the exit code would not be 130)", final.interrupted, final.quitting)
	}
	if served, stopped, cancelled := fb.counts(); served != 7 || stopped != 7 || cancelled != 1 {
		t.Errorf("after ctrl+c: %d servers started, %d stopped, %d measurements cancelled; want 7, 7, 1", served, stopped, cancelled)
	}
	if !bytes.Contains(out.Bytes(), []byte("Finale")) {
		t.Error("the program never drew the finale")
	}
}

// TestFinaleBackStopsTheRunAndReturnsToTheLesson: q in the middle of a
// run cancels it (the measurement sees its context end, its server is
// stopped) and the lesson is on top again; f is offered only in the
// finale lesson, and says why when the finale cannot run.
func TestFinaleBackStopsTheRunAndReturnsToTheLesson(t *testing.T) {
	a := newTestApp(t)
	fb := &fakeBench{gate: make(chan struct{}), measuring: make(chan struct{}, 1)}
	a.SetFinale(fb, finale.Cases(1), testLoad, "")
	openLessonByID(t, a, "p4-thread-per-core")
	if key(a, "f"); a.top() != screenLesson {
		t.Fatalf("f in a lesson without the finale opened screen %d", a.top())
	}
	if strings.Contains(testkeys.Plain(a.View().Content), "run the finale") {
		t.Error("a lesson without the finale advertises f")
	}
	a.back()
	openLessonByID(t, a, "p4-benchmark")
	if v := testkeys.Plain(a.View().Content); !strings.Contains(v, "f run the finale") {
		t.Errorf("the finale lesson does not show f in its footer:\n%s", v)
	}
	listen := key(a, "f")
	if a.top() != screenFinale || listen == nil {
		t.Fatalf("f: screen %d", a.top())
	}
	go listen() // takes the first progress; back (q) closes the run
	<-fb.measuring
	key(a, "q")
	if a.top() != screenLesson {
		t.Fatalf("q in the finale: screen %d, want the lesson", a.top())
	}
	if served, stopped, cancelled := fb.counts(); served != 1 || stopped != 1 || cancelled != 1 {
		t.Errorf("after q: %d served, %d stopped, %d cancelled; want 1, 1, 1", served, stopped, cancelled)
	}

	a.SetFinale(nil, nil, testLoad, "no bench/ module here")
	key(a, "f")
	if v := testkeys.Plain(a.View().Content); a.top() != screenLesson || !strings.Contains(v, "no bench/ module here") {
		t.Errorf("f without a machine: screen %d, view:\n%s", a.top(), v)
	}
}

// openLessonByID opens lesson id from home.
func openLessonByID(t *testing.T, a *App, id string) {
	t.Helper()
	for a.top() != screenHome {
		a.back()
	}
	a.Update(navOpenLesson(id))
	if a.top() != screenLesson || a.lesson.Lesson.ID != id {
		t.Fatalf("could not open lesson %s (screen %d)", id, a.top())
	}
}

func TestFinaleLessonSaysWhichKey(t *testing.T) {
	a := newTestApp(t)
	l, ok := a.cat.Lesson("p4-benchmark")
	if !ok || !l.Finale {
		t.Fatal("the p4-benchmark lesson is not the finale")
	}
	n := 0
	for _, x := range a.cat.Lessons() {
		if x.Finale {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d lessons run the finale, want 1", n)
	}
	text, err := phases.LessonText(l)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text, "Press `f` in this lesson") {
		t.Errorf("the finale lesson does not name its key")
	}
}
