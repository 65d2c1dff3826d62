package main

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"asyncworkbook/phases"
	"asyncworkbook/tui/internal/progress"
	"asyncworkbook/tui/internal/testkeys"
)

func TestPlainListJSON(t *testing.T) {
	t.Setenv(progress.EnvPath, filepath.Join(t.TempDir(), "progress.json"))
	var out, errb bytes.Buffer
	if code := run([]string{"list", "--json"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	var got listJSON
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out.String())
	}
	cat := phases.Default()
	lessons, exercises := 0, 0
	for _, p := range got.Phases {
		lessons += len(p.Lessons)
		for _, x := range p.Exercises {
			exercises++
			if x.Status != "not checked" {
				t.Errorf("%s: status %q on a fresh progress file", x.ID, x.Status)
			}
		}
	}
	if lessons != len(cat.Lessons()) || exercises != len(cat.AllExercises()) {
		t.Fatalf("%d lessons, %d exercises; the catalogue has %d, %d", lessons, exercises, len(cat.Lessons()), len(cat.AllExercises()))
	}
	if code := run([]string{"list", "--yaml"}, &out, &errb); code != 2 {
		t.Fatalf("an unknown list flag: exit %d, want 2", code)
	}
}

func TestPlainDemoPrintsEventsWithExplanations(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"demo", "p1-lost-wakeup"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	s := out.String()
	for _, want := range []string{"What to watch for:", "#1     T1     spawned", "BlockOn created the main task", "a lost wakeup", " events."} {
		if !strings.Contains(s, want) {
			t.Errorf("demo output lacks %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, "\x1b[") {
		t.Error("demo output has escape sequences")
	}
	out.Reset()
	errb.Reset()
	if code := run([]string{"demo", "p1-lost-wakup"}, &out, &errb); code != 1 || !strings.Contains(errb.String(), `did you mean "p1-lost-wakeup"?`) {
		t.Fatalf("a misspelt demo: exit %d, %q", code, errb.String())
	}
	out.Reset()
	if code := run([]string{"demo"}, &out, &errb); code != 0 || !strings.Contains(out.String(), "p1-lost-wakeup") {
		t.Fatalf("demo without an id does not list the demos: %d\n%s", code, out.String())
	}
}

func TestPlainCheckSuggestsTheExerciseID(t *testing.T) {
	t.Setenv(progress.EnvPath, filepath.Join(t.TempDir(), "progress.json"))
	var out, errb bytes.Buffer
	code := run([]string{"check", "01-countdown"}, &out, &errb)
	if code != 2 || !strings.Contains(errb.String(), `did you mean "phase1/01-countdown"?`) {
		t.Fatalf("exit %d, stderr %q", code, errb.String())
	}
	errb.Reset()
	code = run([]string{"check", "-timeout", "1m", "phase1/01-countdwn"}, &out, &errb)
	if code != 2 || !strings.Contains(errb.String(), `did you mean "phase1/01-countdown"?`) {
		t.Fatalf("one letter off: exit %d, stderr %q", code, errb.String())
	}
}

func TestFailOnUnstarted(t *testing.T) {
	t.Setenv(progress.EnvPath, filepath.Join(t.TempDir(), "progress.json"))
	e, err := loadEnv()
	if err != nil {
		t.Fatal(err)
	}
	ex := e.cat.AllExercises()
	for _, x := range ex {
		e.prog.SetExercise(x.ID, progress.ExerciseRecord{Status: "passed"})
	}
	var errb bytes.Buffer
	if code := failOnUnstarted(&errb, e); code != 0 {
		t.Fatalf("all passed: exit %d", code)
	}
	e.prog.SetExercise(ex[3].ID, progress.ExerciseRecord{Status: "not started"})
	if code := failOnUnstarted(&errb, e); code != 3 || !strings.Contains(errb.String(), ex[3].ID) {
		t.Fatalf("one not started: exit %d, %q", code, errb.String())
	}
	if rest, ok := takeFlag([]string{"--json", "--fail-on-unstarted", "-timeout", "1m"}, "fail-on-unstarted"); !ok || strings.Join(rest, " ") != "--json -timeout 1m" {
		t.Fatalf("takeFlag: %v %v", rest, ok)
	}
}

func TestCtrlCIsAnInterrupt(t *testing.T) {
	a := newTestApp(t)
	_, cmd := a.Update(testkeys.Key("ctrl+c"))
	if cmd == nil || cmd() != tea.Quit() || !a.interrupted {
		t.Fatal("ctrl+c did not quit as an interrupt")
	}
	b := newTestApp(t)
	key(b, "q")
	if b.interrupted {
		t.Fatal("q counts as an interrupt")
	}
}
