package main

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"asyncworkbook/phases"
	"asyncworkbook/phases/check"
	"asyncworkbook/phases/trace"
	"asyncworkbook/tui/internal/fixture"
	"asyncworkbook/tui/internal/progress"
	"asyncworkbook/tui/internal/testkeys"
)

// mineGrader streams the recorded fixture as "the learner's trace".
type mineGrader struct{ ran chan struct{} }

func (g mineGrader) Readme(string) (check.Readme, error) {
	return check.Readme{Title: "Mine", Body: "Do it."}, nil
}
func (g mineGrader) Check(context.Context, string) (check.Report, error) {
	return check.Report{}, errors.New("not here")
}
func (g mineGrader) Dir(string) string               { return "" }
func (g mineGrader) Reset(string) error              { return nil }
func (g mineGrader) Solution(string) (string, error) { return "", nil }
func (g mineGrader) RunMine(ctx context.Context, id string, sink trace.Sink) error {
	defer close(g.ran)
	evs := fixture.SpawnSleepYield()
	for i := range evs {
		sink.Event(&evs[i])
	}
	return nil
}

// deliver runs a blocking Cmd (a visualiser's listener) and feeds its
// message to the app; the timer only turns a hang into a failure.
func deliver(t *testing.T, a *App, cmd tea.Cmd) tea.Cmd {
	t.Helper()
	got := make(chan tea.Msg, 1)
	go func() { got <- cmd() }()
	select {
	case msg := <-got:
		_, next := a.Update(msg)
		return next
	case <-time.After(10 * time.Second):
		t.Fatal("no message after 10s")
	}
	return nil
}

func TestRunMineStreamsTheLearnersTraceIntoTheVisualiser(t *testing.T) {
	cat := &phases.Catalogue{Phases: []phases.Phase{{
		ID: "phase1", Number: 1, Title: "The executor",
		Lessons:   []phases.Lesson{{ID: "l1", Title: "One", File: "lessons/none.md", Exercises: []string{"phase1/01-x"}}},
		Exercises: []phases.Exercise{{ID: "phase1/01-x", Title: "X", Lesson: "l1", Demo: "p1-countdown"}},
	}}}
	g := mineGrader{ran: make(chan struct{})}
	prog := &progress.Progress{}
	a := NewApp(cat, prog, filepath.Join(t.TempDir(), "p.json"), g, "")
	a.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	t.Cleanup(a.closeAll)

	key(a, "enter")
	key(a, "1")
	if a.top() != screenExercise {
		t.Fatalf("screen %d, want the exercise", a.top())
	}
	listen := key(a, "m")
	if a.top() != screenVisual || listen == nil {
		t.Fatalf("m: screen %d, want the visualiser", a.top())
	}
	for a.visual.History().Len() == 0 {
		listen = deliver(t, a, listen)
	}
	v := testkeys.Plain(a.View().Content)
	if !strings.Contains(v, "Visualiser · Run mine · X (your code)") || !strings.Contains(v, `T1     spawned           "main"`) {
		t.Fatalf("the learner's trace is not on screen:\n%s", v)
	}
	key(a, "q")
	if a.top() != screenExercise {
		t.Fatalf("q: screen %d, want back to the exercise", a.top())
	}
	select {
	case <-g.ran: // leaving detached the stepper: the run could finish
	case <-time.After(10 * time.Second):
		t.Fatal("the learner's run is still blocked after leaving the visualiser")
	}
	// The old visualiser's last message lands in no one.
	_ = listen
}
