package home

import (
	"flag"
	"fmt"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"asyncworkbook/phases"
	"asyncworkbook/tui/internal/nav"
	"asyncworkbook/tui/internal/progress"
	"asyncworkbook/tui/internal/testkeys"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// catalogue is a fixed catalogue, so the goldens do not change when the
// curriculum grows.
func catalogue() *phases.Catalogue {
	var ls []phases.Lesson
	for i := range 5 {
		ls = append(ls, phases.Lesson{ID: fmt.Sprintf("l%d", i+1), Title: fmt.Sprintf("Lesson number %d", i+1)})
	}
	ls[2].Exercises = []string{"phase1/01-x", "phase1/02-y"}
	return &phases.Catalogue{Phases: []phases.Phase{
		{ID: "phase1", Number: 1, Title: "The executor", Lessons: ls[:3]},
		{ID: "phase2", Number: 2, Title: "io_uring", Lessons: ls[3:]},
	}}
}

func newHome(prog *progress.Progress, w, h int) Model {
	m := New(catalogue(), prog)
	m.SetSize(w, h)
	return m
}

func press(m Model, keys ...string) (Model, []any) {
	var msgs []any
	for _, k := range keys {
		var cmd tea.Cmd
		m, cmd = m.Update(testkeys.Key(k))
		for _, msg := range testkeys.Run(cmd) {
			msgs = append(msgs, msg)
		}
	}
	return m, msgs
}

func TestResumesAtTheLastLesson(t *testing.T) {
	prog := &progress.Progress{LastLesson: "l4"}
	m := newHome(prog, 80, 24)
	if l, _ := m.Selected(); l.ID != "l4" {
		t.Fatalf("selected %q, want l4 (the last lesson)", l.ID)
	}
	m = newHome(&progress.Progress{}, 80, 24)
	if l, _ := m.Selected(); l.ID != "l1" {
		t.Fatalf("fresh start selected %q, want l1", l.ID)
	}
}

func TestCursorSkipsPhaseHeadings(t *testing.T) {
	m := newHome(&progress.Progress{}, 80, 24)
	m, _ = press(m, "down", "down", "down")
	if l, _ := m.Selected(); l.ID != "l4" {
		t.Fatalf("after 3 downs selected %q, want l4 (across the phase heading)", l.ID)
	}
	m, _ = press(m, "down", "down", "down")
	if l, _ := m.Selected(); l.ID != "l5" {
		t.Fatalf("cursor left the list: %q", l.ID)
	}
	m, _ = press(m, "k", "k", "k", "k", "k", "k")
	if l, _ := m.Selected(); l.ID != "l1" {
		t.Fatalf("cursor left the top: %q", l.ID)
	}
}

func TestEnterOpensTheLesson(t *testing.T) {
	m := newHome(&progress.Progress{}, 80, 24)
	_, msgs := press(m, "down", "enter")
	if len(msgs) != 1 || msgs[0] != (nav.OpenLesson{ID: "l2"}) {
		t.Fatalf("messages %v, want OpenLesson l2", msgs)
	}
	_, msgs = press(m, "d")
	if len(msgs) != 1 || msgs[0] != (nav.SetDone{LessonID: "l1", Done: true}) {
		t.Fatalf("messages %v, want SetDone l1", msgs)
	}
	_, msgs = press(m, "q")
	if len(msgs) != 1 || msgs[0] != (nav.Back{}) {
		t.Fatalf("messages %v, want Back", msgs)
	}
}

func TestMarksReadableWithoutColour(t *testing.T) {
	prog := &progress.Progress{LastLesson: "l3"}
	prog.SetDone("l1", true)
	prog.SetExercise("phase1/01-x", progress.ExerciseRecord{Status: "passed"})
	v := testkeys.Plain(newHome(prog, 80, 24).View())
	for _, want := range []string{"✓  1. Lesson number 1", "·  2. Lesson number 2", "▸  3. Lesson number 3", "exercises 1/2 passed", "1/5 lessons done"} {
		if !strings.Contains(v, want) {
			t.Errorf("view lacks %q:\n%s", want, v)
		}
	}
}

func TestHomeGolden(t *testing.T) {
	prog := &progress.Progress{LastLesson: "l3"}
	prog.SetDone("l1", true)
	prog.SetDone("l2", true)
	prog.SetExercise("phase1/01-x", progress.ExerciseRecord{Status: "passed"})
	for _, sz := range [][2]int{{80, 24}, {120, 40}} {
		name := fmt.Sprintf("home-%dx%d.golden", sz[0], sz[1])
		t.Run(name, func(t *testing.T) {
			m := newHome(prog, sz[0], sz[1])
			m.Notice = "progress file was damaged (unexpected end of JSON input); started fresh — old copy kept at /tmp/p.json.damaged"
			testkeys.Golden(t, *update, name, testkeys.Plain(m.View()))
		})
	}
}

func TestSmallTerminalKeepsCursorVisible(t *testing.T) {
	m := newHome(&progress.Progress{LastLesson: "l5"}, 80, 8)
	v := testkeys.Plain(m.View())
	if !strings.Contains(v, "› ▸  2. Lesson number 5") {
		t.Fatalf("cursor row not visible at 80×8:\n%s", v)
	}
	if n := strings.Count(v, "\n"); n != 8 {
		t.Fatalf("view has %d lines, want 8", n)
	}
}
