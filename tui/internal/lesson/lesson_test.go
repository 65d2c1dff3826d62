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
		"d": nav.SetDone{LessonID: l.ID, Done: true},
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

// TestFooterShowsOnlyKeysThatWork: a lesson without exercises does not
// offer e/1-9 (and they do nothing), one without a demo does not offer v;
// g/G (home/end) jump to the top and bottom.
func TestFooterShowsOnlyKeysThatWork(t *testing.T) {
	cat := phases.Default()
	var bare, full phases.Lesson
	for _, l := range cat.Lessons() {
		if len(l.Exercises) == 0 && bare.ID == "" {
			bare = l
		}
		if len(l.Exercises) > 0 && l.Demo != "" && full.ID == "" {
			full = l
		}
	}
	if bare.ID == "" || full.ID == "" {
		t.Skip("the catalogue has no lesson without exercises")
	}
	m := New(cat, bare, &progress.Progress{})
	m.SetSize(120, 30)
	if v := testkeys.Plain(m.View()); strings.Contains(v, "exercise") && strings.Contains(v, "e/1") {
		t.Errorf("a lesson without exercises offers them:\n%s", v)
	}
	for _, k := range []string{"e", "1"} {
		if _, msgs := press(m, k); len(msgs) != 0 {
			t.Errorf("%s in a lesson without exercises: %v", k, msgs)
		}
	}
	m = New(cat, full, &progress.Progress{})
	m.SetSize(120, 30)
	if v := testkeys.Plain(m.View()); !strings.Contains(v, "e/1") || !strings.Contains(v, "d mark done") {
		t.Errorf("footer lacks e/1-n or d:\n%s", v)
	}
	m.SetSize(120, 8)
	m, _ = press(m, "G")
	if !m.vp.AtBottom() {
		t.Error("G did not go to the bottom")
	}
	m, _ = press(m, "g")
	if !m.vp.AtTop() {
		t.Error("g did not go to the top")
	}
}

// TestNoEllipsisColumnAndNoMarkdownHeadings: scrolled anywhere in any
// lesson at 80 columns, with colour, no line is cut only for glamour's
// padding (a column of "…" down the right edge), and headings are shown
// as headings, not with their "##".
func TestNoEllipsisColumnAndNoMarkdownHeadings(t *testing.T) {
	cat := phases.Default()
	for _, l := range cat.Lessons() {
		m := New(cat, l, &progress.Progress{})
		m.SetSize(80, 24)
		for range 40 {
			v := testkeys.Plain(m.View())
			cut := 0
			for _, line := range strings.Split(v, "\n") {
				if strings.HasSuffix(line, "…") {
					cut++
				}
				if strings.HasPrefix(strings.TrimSpace(line), "## ") {
					t.Fatalf("%s: a heading shows its markdown: %q", l.ID, line)
				}
			}
			if cut > 3 {
				t.Fatalf("%s: %d lines end in …:\n%s", l.ID, cut, v)
			}
			m, _ = press(m, "pgdown")
		}
	}
}
