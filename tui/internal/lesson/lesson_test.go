package lesson

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"asyncworkbook/phases"
	"asyncworkbook/tui/internal/nav"
	"asyncworkbook/tui/internal/progress"
	"asyncworkbook/tui/internal/testkeys"
)

func withExercises(t *testing.T) (*phases.Catalogue, phases.Lesson) {
	t.Helper()
	cat := phases.Default()
	for _, l := range cat.Lessons() {
		if len(l.Exercises) > 0 && l.Demo != "" {
			return cat, l
		}
	}
	t.Skip("no lesson with a demo and exercises in the catalogue yet")
	panic("unreachable")
}

func press(m Model, k string) (Model, []tea.Msg) {
	m, cmd := m.Update(testkeys.Key(k))
	return m, testkeys.Run(cmd)
}

func TestKeysAskForDemoExerciseAndDone(t *testing.T) {
	cat, l := withExercises(t)
	m := New(cat, l, &progress.Progress{})
	m.SetSize(80, 24)
	for k, want := range map[string]tea.Msg{
		"v": nav.OpenDemo{DemoID: l.Demo},
		"1": nav.OpenExercise{ID: l.Exercises[0]},
		"e": nav.OpenExercise{ID: l.Exercises[0]},
		"m": nav.SetDone{LessonID: l.ID, Done: true},
		"q": nav.Back{},
	} {
		_, msgs := press(m, k)
		if len(msgs) != 1 || msgs[0] != want {
			t.Errorf("%s: %v, want %v", k, msgs, want)
		}
	}
	if _, msgs := press(m, "9"); len(msgs) != 0 {
		t.Errorf("9 with fewer exercises: %v", msgs)
	}
}

func TestRenderIsCachedAndRewrappedOnResize(t *testing.T) {
	cat, l := withExercises(t)
	m := New(cat, l, &progress.Progress{})
	m.SetSize(80, 24)
	n := m.render.count
	m.SetSize(80, 30) // taller only: same wrapping
	m, _ = press(m, "down")
	_ = m.View()
	if m.render.count != n {
		t.Fatalf("re-rendered %d times without a width change", m.render.count-n)
	}
	m.SetSize(60, 24)
	if m.render.count != n+1 {
		t.Fatal("a new width did not re-render")
	}
	for _, line := range strings.Split(testkeys.Plain(m.View()), "\n") {
		if w := len([]rune(line)); w > 60 {
			t.Fatalf("line wider than 60 after resize (%d): %q", w, line)
		}
	}
}

func TestViewShowsTitleAndExercises(t *testing.T) {
	cat, l := withExercises(t)
	prog := &progress.Progress{}
	prog.SetExercise(l.Exercises[0], progress.ExerciseRecord{Status: "passed"})
	m := New(cat, l, prog)
	m.SetSize(120, 40)
	v := testkeys.Plain(m.View())
	ex, _ := cat.Exercise(l.Exercises[0])
	for _, want := range []string{l.Title, "1) ✓ " + ex.Title, "v visualise demo"} {
		if !strings.Contains(v, want) {
			t.Errorf("view lacks %q:\n%s", want, v)
		}
	}
}
