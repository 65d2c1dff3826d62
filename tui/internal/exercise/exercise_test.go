package exercise

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"asyncworkbook/phases"
	"asyncworkbook/phases/check"
	"asyncworkbook/phases/trace"
	"asyncworkbook/tui/internal/nav"
	"asyncworkbook/tui/internal/progress"
	"asyncworkbook/tui/internal/testkeys"
)

// fake is a Grader whose Check returns the next of reports.
type fake struct {
	dir     string
	reports []check.Report
	checks  int
	resets  int
}

func (f *fake) Readme(string) (check.Readme, error) {
	return check.Readme{Title: "A countdown", Body: "Write **Poll**.", Hints: []string{"Look at the fields.", "Fire the waker.", "Call cx.Wake."}}, nil
}

func (f *fake) Check(context.Context, string) (check.Report, error) {
	r := f.reports[min(f.checks, len(f.reports)-1)]
	f.checks++
	return r, nil
}

func (f *fake) Dir(string) string               { return f.dir }
func (f *fake) Reset(string) error              { f.resets++; return nil }
func (f *fake) Solution(string) (string, error) { return "```go\nfunc solved() {}\n```", nil }
func (f *fake) RunMine(context.Context, string, trace.Sink) error {
	return errors.New("not in this test")
}

var (
	failing = check.Report{Status: check.Failed, Tests: []check.TestResult{
		{Name: "TestCountsDown", Status: check.Passed},
		{Name: "TestWakesItself", Status: check.Failed, Output: "countdown_test.go:40: polled 1 times, want 4"},
	}}
	passing = check.Report{Status: check.Passed, Tests: []check.TestResult{
		{Name: "TestCountsDown", Status: check.Passed},
		{Name: "TestWakesItself", Status: check.Passed},
	}}
)

func newView(t *testing.T, reports ...check.Report) (Model, *fake, *progress.Progress) {
	t.Helper()
	g := &fake{dir: t.TempDir(), reports: reports}
	prog := &progress.Progress{}
	m := New(phases.Exercise{ID: "phase1/01-countdown", Title: "A countdown", Demo: "p1-countdown"}, g, prog)
	m.SetSize(80, 24)
	t.Cleanup(func() { m.Close() })
	return m, g, prog
}

// press sends keys and runs the Cmds that return at once (not ticks).
func press(m Model, keys ...string) (Model, []tea.Msg) {
	var out []tea.Msg
	for _, k := range keys {
		var cmd tea.Cmd
		m, cmd = m.Update(testkeys.Key(k))
		out = append(out, testkeys.Run(cmd)...)
	}
	return m, out
}

// check presses c and delivers the grader's result, as the program
// would (the spinner's tick is not run: it would wait).
func runCheck(t *testing.T, m Model) Model {
	t.Helper()
	m, cmd := m.Update(testkeys.Key("c"))
	if !m.Checking() {
		t.Fatal("c did not start a check")
	}
	batch, ok := cmd().(tea.BatchMsg)
	if !ok || len(batch) != 2 {
		t.Fatalf("check Cmd = %T, want a batch of the run and the spinner", batch)
	}
	m, _ = m.Update(batch[0]()) // the grader's run; batch[1] is the spinner
	return m
}

func TestHintsAreRevealedOneAtATime(t *testing.T) {
	m, _, prog := newView(t, failing)
	v := testkeys.Plain(m.View())
	if strings.Contains(v, "Look at the fields") {
		t.Fatal("a hint is shown before asking")
	}
	m, msgs := press(m, "h")
	if m.HintsShown() != 1 || len(msgs) != 1 || msgs[0] != (nav.SaveProgress{}) {
		t.Fatalf("after h: %d hints, msgs %v", m.HintsShown(), msgs)
	}
	m.vp.GotoTop()
	m.vp.SetHeight(200)
	v = testkeys.Plain(m.vp.View())
	if !strings.Contains(v, "Hint 1 of 3") || strings.Contains(v, "Fire the waker") {
		t.Fatalf("want hint 1 only:\n%s", v)
	}
	m, _ = press(m, "h", "h", "h")
	if m.HintsShown() != 3 || prog.Exercise("phase1/01-countdown").HintsShown != 3 {
		t.Fatalf("hints shown %d, want 3 (and saved in progress)", m.HintsShown())
	}
	if !strings.Contains(m.notice, "No more hints") {
		t.Fatalf("notice %q", m.notice)
	}
}

func TestCheckShowsEachTest(t *testing.T) {
	m, g, prog := newView(t, failing, passing)
	m = runCheck(t, m)
	if m.Checking() || g.checks != 1 {
		t.Fatalf("checking %v, %d checks", m.Checking(), g.checks)
	}
	m.vp.SetHeight(200)
	m.vp.GotoTop()
	v := testkeys.Plain(m.vp.View())
	for _, want := range []string{"✓ passed", "TestCountsDown", "✗ failed", "TestWakesItself", "polled 1 times, want 4"} {
		if !strings.Contains(v, want) {
			t.Errorf("results lack %q:\n%s", want, v)
		}
	}
	if got := prog.Exercise("phase1/01-countdown").Status; got != "failed" {
		t.Fatalf("progress status %q, want failed", got)
	}
	m = runCheck(t, m)
	if !prog.Passed("phase1/01-countdown") {
		t.Fatal("a passing check was not recorded")
	}
}

func TestSolutionNeedsConfirmationBeforePassing(t *testing.T) {
	m, _, prog := newView(t, failing)
	m, _ = press(m, "s")
	if m.SolutionShown() || m.asking != confirmSolution {
		t.Fatal("s showed the solution without asking")
	}
	if v := testkeys.Plain(m.View()); !strings.Contains(v, "Show the solution anyway? (y/n)") {
		t.Fatalf("no question on screen:\n%s", v)
	}
	m, _ = press(m, "n")
	if m.SolutionShown() {
		t.Fatal("n showed the solution")
	}
	m, _ = press(m, "s", "y")
	if !m.SolutionShown() || !prog.Exercise("phase1/01-countdown").SolutionSeen {
		t.Fatal("s y did not show the solution")
	}
}

func TestSolutionAfterPassingNeedsNoConfirmation(t *testing.T) {
	m, _, _ := newView(t, passing)
	m = runCheck(t, m)
	m, _ = press(m, "s")
	if !m.SolutionShown() {
		t.Fatal("after passing, s did not show the solution")
	}
}

func TestResetAsksFirst(t *testing.T) {
	m, g, _ := newView(t, failing)
	m, msgs := press(m, "r")
	if g.resets != 0 || len(msgs) != 0 {
		t.Fatal("r reset without asking")
	}
	if v := testkeys.Plain(m.View()); !strings.Contains(v, "Your changes will be lost. (y/n)") {
		t.Fatalf("no question:\n%s", v)
	}
	m, msgs = press(m, "y")
	if g.resets != 1 || len(msgs) != 1 {
		t.Fatalf("y: %d resets, msgs %v", g.resets, msgs)
	}
	m, _ = m.Update(msgs[0])
	if !strings.Contains(m.notice, "Restored the skeleton") {
		t.Fatalf("notice %q", m.notice)
	}
}

func TestRunMineAsksForTheVisualiser(t *testing.T) {
	m, _, _ := newView(t, failing)
	_, msgs := press(m, "m")
	if len(msgs) != 1 || msgs[0] != (nav.RunMine{ExerciseID: "phase1/01-countdown", Title: "A countdown"}) {
		t.Fatalf("msgs %v", msgs)
	}
}

// TestWatchRechecksOnSave: a save in the folder gives one changedMsg; the
// debounce tick of that generation starts a check, a stale one does not.
func TestWatchRechecksOnSave(t *testing.T) {
	m, g, _ := newView(t, failing, passing)
	m, cmd := m.Update(testkeys.Key("w"))
	if !m.Watching() || !m.Checking() {
		t.Fatal("w did not start watching and checking")
	}
	batch := cmd().(tea.BatchMsg) // [check batch, watcher.next]
	first := batch[0]().(tea.BatchMsg)
	m, _ = m.Update(first[0]())
	if g.checks != 1 {
		t.Fatalf("%d checks after w, want 1", g.checks)
	}
	if err := os.WriteFile(filepath.Join(g.dir, "countdown.go"), []byte("package x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	got := make(chan tea.Msg, 1)
	go func() { got <- batch[1]() }()
	var msg tea.Msg
	select {
	case msg = <-got:
	case <-time.After(10 * time.Second):
		t.Fatal("no change reported after 10s")
	}
	if c, ok := msg.(changedMsg); !ok || c.name != "countdown.go" {
		t.Fatalf("got %#v, want a change of countdown.go", msg)
	}
	m, _ = m.Update(msg)
	m, _ = m.Update(debounceMsg{self: m.self, gen: m.debounceGen - 1}) // stale
	if m.Checking() {
		t.Fatal("a stale debounce tick started a check")
	}
	m, cmd = m.Update(debounceMsg{self: m.self, gen: m.debounceGen})
	if !m.Checking() {
		t.Fatal("the debounce tick did not start a check")
	}
	m, _ = m.Update(cmd().(tea.BatchMsg)[0]())
	if g.checks != 2 || m.Report().Status != check.Passed {
		t.Fatalf("%d checks, status %v", g.checks, m.Report().Status)
	}
	m, _ = press(m, "w")
	if m.Watching() {
		t.Fatal("w did not stop watching")
	}
}

func TestGlyphsAreReadableWithoutColour(t *testing.T) {
	for st, want := range map[check.Status]string{
		check.Passed: "✓ passed", check.Failed: "✗ failed", check.NotStarted: "· not started",
		check.BuildFailed: "✗ build failed", check.TimedOut: "⧖ timed out",
	} {
		if got := Glyph(st); got != want {
			t.Errorf("Glyph(%v) = %q, want %q", st, got, want)
		}
	}
}

// TestResultOfAnotherViewIsIgnored: a check that finishes after its view
// was closed does not land in a new view of the same exercise.
func TestResultOfAnotherViewIsIgnored(t *testing.T) {
	old, _, _ := newView(t, failing)
	old, cmd := old.Update(testkeys.Key("c"))
	stale := cmd().(tea.BatchMsg)[0]()
	old.Close()
	m, _, _ := newView(t, passing)
	m, _ = m.Update(testkeys.Key("c")) // the new view's first check: same generation
	m, _ = m.Update(stale)
	if !m.Checking() || m.Report() != nil {
		t.Fatal("the closed view's result was applied to the new view")
	}
}
