package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	tea "charm.land/bubbletea/v2"

	"asyncworkbook/phases"
	"asyncworkbook/phases/check"
	"asyncworkbook/phases/trace"
	"asyncworkbook/tui/internal/progress"
	"asyncworkbook/tui/internal/testkeys"
)

// passGrader passes every check and counts them.
type passGrader struct {
	mu     sync.Mutex
	checks map[string]int
	dir    string
	status check.Status
}

func (g *passGrader) Readme(id string) (check.Readme, error) {
	return check.Readme{Title: id, Body: "Do " + id + "."}, nil
}
func (g *passGrader) Check(ctx context.Context, id string) (check.Report, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.checks[id]++
	return check.Report{ID: id, Status: g.status, Tests: []check.TestResult{{Name: "TestIt", Status: g.status}}}, nil
}
func (g *passGrader) Dir(string) string                                 { return g.dir }
func (g *passGrader) Reset(string) error                                { return nil }
func (g *passGrader) Solution(string) (string, error)                   { return "", nil }
func (g *passGrader) RunMine(context.Context, string, trace.Sink) error { return nil }

// runAll runs cmd and the Cmds that follow from its messages, skipping
// spinner ticks and watchers (they wait); depth bounds the chain.
func runAll(a *App, cmd tea.Cmd, depth int) {
	if cmd == nil || depth == 0 {
		return
	}
	done := make(chan tea.Msg, 1)
	go func() { done <- cmd() }()
	var msg tea.Msg
	select {
	case msg = <-done:
	case <-timeAfter():
		return // a tick or a watcher
	}
	if b, ok := msg.(tea.BatchMsg); ok {
		for _, c := range b {
			runAll(a, c, depth-1)
		}
		return
	}
	_, next := a.Update(msg)
	runAll(a, next, depth-1)
}

func newProgressionApp(t *testing.T, st check.Status) (*App, *passGrader) {
	t.Helper()
	t.Setenv(progress.EnvPath, filepath.Join(t.TempDir(), "progress.json"))
	e, err := loadEnv()
	if err != nil {
		t.Fatal(err)
	}
	g := &passGrader{checks: map[string]int{}, dir: t.TempDir(), status: st}
	a := NewApp(e.cat, &e.prog, e.progPath, g, "")
	a.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	t.Cleanup(a.closeAll)
	return a, g
}

// openFirstExercise opens the first lesson with exercises and its first
// exercise, running the Cmds (the check on opening among them).
func openFirstExercise(t *testing.T, a *App) phases.Exercise {
	t.Helper()
	first := a.cat.AllExercises()[0]
	_, cmd := a.Update(navOpenLesson(first.Lesson))
	runAll(a, cmd, 8)
	_, cmd = a.Update(testkeys.Key("e"))
	runAll(a, cmd, 8)
	if a.top() != screenExercise || a.exercise.Ex.ID != first.ID {
		t.Fatalf("screen %d, exercise %q; want %s", a.top(), a.exercise.Ex.ID, first.ID)
	}
	return first
}

// TestOpeningAnExerciseRechecksIt: a status recorded earlier ("passed")
// is not trusted: opening the exercise checks it again, in the
// background, with the spinner in the header meanwhile.
func TestOpeningAnExerciseRechecksIt(t *testing.T) {
	a, g := newProgressionApp(t, check.Failed)
	first := a.cat.AllExercises()[0]
	a.prog.SetExercise(first.ID, progress.ExerciseRecord{Status: "passed"})
	_, cmd := a.Update(navOpenLesson(first.Lesson))
	runAll(a, cmd, 8)
	_, cmd = a.Update(testkeys.Key("e"))
	_, cmd = a.Update(cmd()) // the nav message: the exercise opens, checking
	if !a.exercise.Checking() || !strings.Contains(testkeys.Plain(a.View().Content), "checking") {
		t.Fatalf("opening did not start a check:\n%s", testkeys.Plain(a.View().Content))
	}
	runAll(a, cmd, 8)
	if g.checks[first.ID] != 1 || a.prog.Passed(first.ID) {
		t.Fatalf("%d checks, passed=%v: the stale pass was kept", g.checks[first.ID], a.prog.Passed(first.ID))
	}
}

// TestPassOffersNextAndMarksTheLessonDone: after a pass, n opens the next
// exercise (with its lesson under it); a lesson whose exercises all
// passed is marked done; home shows the exercises' progress bar.
func TestPassOffersNextAndMarksTheLessonDone(t *testing.T) {
	a, _ := newProgressionApp(t, check.Passed)
	first := openFirstExercise(t, a)
	all := a.cat.AllExercises()
	v := testkeys.Plain(a.View().Content)
	if !strings.Contains(v, "n next: "+all[1].Title) || !strings.Contains(v, "Press n for the next exercise: "+all[1].Title) {
		t.Fatalf("a pass does not offer the next exercise:\n%s", v)
	}
	l, _ := a.cat.Lesson(first.Lesson)
	if len(l.Exercises) == 1 && !a.prog.Done[l.ID] {
		t.Fatalf("lesson %s not marked done after its only exercise passed", l.ID)
	}
	_, cmd := a.Update(testkeys.Key("n"))
	runAll(a, cmd, 8)
	if a.top() != screenExercise || a.exercise.Ex.ID != all[1].ID {
		t.Fatalf("n: exercise %q, want %s", a.exercise.Ex.ID, all[1].ID)
	}
	if len(a.stack) != 3 || a.lesson.Lesson.ID != all[1].Lesson {
		t.Fatalf("stack %v, lesson %q under the exercise; want [home lesson exercise] with %s", a.stack, a.lesson.Lesson.ID, all[1].Lesson)
	}
	for len(a.stack) > 1 {
		a.back()
	}
	if v := testkeys.Plain(a.View().Content); !strings.Contains(v, fmt.Sprintf("Exercises 2/%d passed", len(all))) {
		t.Fatalf("home has no exercise progress:\n%s", v)
	}
}

// TestWatchModeFollowsTheLearner: watch mode on in one exercise is on in
// the next one opened.
func TestWatchModeFollowsTheLearner(t *testing.T) {
	a, _ := newProgressionApp(t, check.Passed)
	openFirstExercise(t, a)
	_, cmd := a.Update(testkeys.Key("w"))
	runAll(a, cmd, 3)
	if !a.exercise.Watching() {
		t.Fatal("w did not turn watch mode on")
	}
	_, cmd = a.Update(testkeys.Key("n"))
	runAll(a, cmd, 3)
	if !a.exercise.Watching() {
		t.Fatal("the next exercise is not watched")
	}
}

// TestStartRechecksRecordedExercises: at start the workbook re-checks
// the exercises the progress file has a status for, in the background,
// and home says what changed: a "passed" whose code no longer passes (a
// skeleton restored with git) is not shown as passed.
func TestStartRechecksRecordedExercises(t *testing.T) {
	a, g := newProgressionApp(t, check.NotStarted)
	all := a.cat.AllExercises()
	a.prog.SetExercise(all[0].ID, progress.ExerciseRecord{Status: "passed"})
	cmd := a.startRecheck()
	if cmd == nil || !strings.Contains(testkeys.Plain(a.View().Content), "re-checking 1 exercise in the background") {
		t.Fatalf("no re-check at start:\n%s", testkeys.Plain(a.View().Content))
	}
	_, next := a.Update(cmd())
	runAll(a, next, 2)
	if g.checks[all[0].ID] != 1 || len(g.checks) != 1 {
		t.Fatalf("checks %v: want exactly the recorded exercise", g.checks)
	}
	if a.prog.Passed(all[0].ID) {
		t.Fatal("the stale pass survived the re-check")
	}
	if v := testkeys.Plain(a.View().Content); !strings.Contains(v, "· not started (was passed)") {
		t.Fatalf("home does not say what the re-check found:\n%s", v)
	}
	// Fresh progress: nothing to re-check, no subprocess.
	b, _ := newProgressionApp(t, check.Passed)
	if b.startRecheck() != nil {
		t.Fatal("a re-check with nothing recorded")
	}
}
