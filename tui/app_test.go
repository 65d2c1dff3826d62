package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"asyncworkbook/phases"
	"asyncworkbook/tui/internal/exercise"
	"asyncworkbook/tui/internal/progress"
	"asyncworkbook/tui/internal/testkeys"
)

// newTestApp returns the app over the real catalogue with a fresh
// progress file in a temporary folder.
func newTestApp(t *testing.T) *App {
	t.Helper()
	t.Setenv(progress.EnvPath, filepath.Join(t.TempDir(), "progress.json"))
	e, err := loadEnv()
	if err != nil {
		t.Fatal(err)
	}
	a := NewApp(e.cat, &e.prog, e.progPath, exercise.Checker{Root: e.root}, e.notice)
	a.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	t.Cleanup(a.closeAll)
	return a
}

// key presses k and delivers the navigation message the screen asks for,
// if any. It returns the Cmd that follows, without running it: it may be
// a visualiser's listener, which blocks.
func key(a *App, k string) tea.Cmd {
	_, cmd := a.Update(testkeys.Key(k))
	if cmd == nil {
		return nil
	}
	_, next := a.Update(cmd())
	return next
}

func TestNavigateLessonVisualiserAndBack(t *testing.T) {
	a := newTestApp(t)
	first := phases.Default().Lessons()[0]
	key(a, "enter")
	if a.top() != screenLesson || a.lesson.Lesson.ID != first.ID {
		t.Fatalf("enter: screen %d, lesson %q", a.top(), a.lesson.Lesson.ID)
	}
	if a.prog.LastLesson != first.ID {
		t.Fatalf("last lesson %q, want %q", a.prog.LastLesson, first.ID)
	}
	if saved, _, _ := progress.Load(a.progPath); saved.LastLesson != first.ID {
		t.Fatal("opening a lesson did not save the progress")
	}
	if cmd := key(a, "v"); cmd == nil || a.top() != screenVisual {
		t.Fatalf("v: screen %d, want the visualiser with its listener", a.top())
	}
	key(a, "q")
	if a.top() != screenLesson {
		t.Fatalf("q in the visualiser: screen %d, want the lesson", a.top())
	}
	key(a, "d") // mark done (d, as on home)
	if !a.prog.Done[first.ID] {
		t.Fatal("m did not mark the lesson done")
	}
	key(a, "q")
	if a.top() != screenHome {
		t.Fatalf("q in the lesson: screen %d, want home", a.top())
	}
	if v := testkeys.Plain(a.View().Content); !strings.Contains(v, "✓  1. "+first.Title) {
		t.Fatalf("home does not show the lesson done:\n%s", v)
	}
	_, cmd := a.Update(testkeys.Key("q"))
	if cmd == nil || cmd() == nil {
		t.Fatal("q on home returned no Cmd")
	}
	_, cmd = a.Update(cmd())
	if cmd == nil || cmd() != tea.Quit() {
		t.Fatal("q on home did not quit")
	}
}

func TestViewUsesTheAltScreen(t *testing.T) {
	a := newTestApp(t)
	if v := a.View(); !v.AltScreen {
		t.Fatal("the app's view is not in the alternate screen")
	}
}

func TestDamagedProgressIsReportedAndRebuilt(t *testing.T) {
	path := filepath.Join(t.TempDir(), "progress.json")
	os.WriteFile(path, []byte(`{"version":1,"done":`), 0o644)
	t.Setenv(progress.EnvPath, path)
	e, err := loadEnv()
	if err != nil {
		t.Fatal(err)
	}
	a := NewApp(e.cat, &e.prog, e.progPath, exercise.Checker{Root: e.root}, e.notice)
	a.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	v := testkeys.Plain(a.View().Content)
	joined := strings.ReplaceAll(v, "\n", "") // the notice wraps
	if !strings.Contains(v, "progress file was damaged") || !strings.Contains(joined, "old copy kept at "+path+".damaged") {
		t.Fatalf("home does not report the damaged file:\n%s", v)
	}
	key(a, "enter") // saves
	if p, notice, err := progress.Load(path); err != nil || notice != "" || p.LastLesson == "" {
		t.Fatalf("progress not rebuilt: %+v %q %v", p, notice, err)
	}
}

func TestPlainHelp(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"--help"}, &out, &errb); code != 0 {
		t.Fatalf("--help exit %d", code)
	}
	for _, want := range []string{"go run ./tui list", "go run ./tui lesson <id>", "go run ./tui check <exercise>", "grade [--json]", "WORKBOOK_PROGRESS", "NO_COLOR"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("--help lacks %q", want)
		}
	}
}

func TestPlainListAndNoTTY(t *testing.T) {
	t.Setenv(progress.EnvPath, filepath.Join(t.TempDir(), "progress.json"))
	var out, errb bytes.Buffer
	if code := run([]string{"list"}, &out, &errb); code != 0 {
		t.Fatalf("list exit %d: %s", code, errb.String())
	}
	for _, l := range phases.Default().Lessons() {
		if !strings.Contains(out.String(), l.ID) {
			t.Errorf("list lacks lesson %s", l.ID)
		}
	}
	if !strings.Contains(out.String(), "· not started") {
		t.Errorf("list does not say not started:\n%s", out.String())
	}
	// Under go test stdout is not a terminal: no args prints the list
	// and a hint instead of failing.
	out.Reset()
	if code := run(nil, &out, &errb); code != 0 || !strings.Contains(out.String(), "No terminal") {
		t.Fatalf("no-TTY run: exit %d\n%s", code, out.String())
	}
}

func TestPlainLesson(t *testing.T) {
	l := phases.Default().Lessons()[0]
	var out, errb bytes.Buffer
	if code := run([]string{"lesson", l.ID}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if !strings.Contains(out.String(), l.Title) || strings.Contains(out.String(), "\x1b[") {
		t.Fatalf("lesson output is not the plain text of %q", l.Title)
	}
	if code := run([]string{"lesson", "no-such"}, &out, &errb); code == 0 {
		t.Fatal("an unknown lesson exited 0")
	}
}

// TestPlainCheckAndGrade runs the real grader on the learner's copies:
// slow (go test subprocesses), so not in -short mode.
func TestPlainCheckAndGrade(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go test subprocesses")
	}
	progPath := filepath.Join(t.TempDir(), "progress.json")
	t.Setenv(progress.EnvPath, progPath)
	ex := phases.Default().AllExercises()
	if len(ex) == 0 {
		t.Skip("no exercises in the catalogue")
	}
	var out, errb bytes.Buffer
	code := run([]string{"check", ex[0].ID}, &out, &errb)
	t.Logf("check %s: exit %d\n%s%s", ex[0].ID, code, out.String(), errb.String())
	passed := strings.HasPrefix(out.String(), "✓ passed")
	if (code == 0) != passed {
		t.Fatalf("exit %d but output says passed=%v", code, passed)
	}
	out.Reset()
	// The learner looked at two hints and the solution of the last one.
	last := ex[len(ex)-1].ID
	p, _, err := progress.Load(progPath)
	if err != nil {
		t.Fatal(err)
	}
	p.SetExercise(last, progress.ExerciseRecord{HintsShown: 2, SolutionSeen: true})
	if err := progress.Save(progPath, p); err != nil {
		t.Fatal(err)
	}
	if code := run([]string{"grade", "--json"}, &out, &errb); code != 0 {
		t.Fatalf("grade exit %d: %s", code, errb.String())
	}
	var rows []gradeRow
	if err := json.Unmarshal(out.Bytes(), &rows); err != nil || len(rows) != len(ex) {
		t.Fatalf("grade --json: %v, %d rows for %d exercises\n%s", err, len(rows), len(ex), out.String())
	}
	valid := map[string]bool{"passed": true, "failed": true, "not started": true, "build failed": true, "timed out": true}
	for _, r := range rows {
		if !valid[r.Status] {
			t.Errorf("%s: status %q", r.ID, r.Status)
		}
		if want := r.ID == last; (r.HintsShown == 2) != want || r.SolutionSeen != want {
			t.Errorf("%s: hints_shown %d, solution_seen %v; want the progress file's (2 and true for %s only)", r.ID, r.HintsShown, r.SolutionSeen, last)
		}
	}
}
