package exercise

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"asyncworkbook/phases/check"
	"asyncworkbook/tui/internal/testkeys"
)

const advice = "countdown_test.go:42: Countdown{N: 5} was never ready: it returned Pending without waking itself, or a loop that never ends"

// panicStack is what Guard prints for a panic in the learner's Poll: the
// runtime's and the harness's frames first, the learner's deep inside.
var panicStack = "your code panicked: runtime error: index out of range [5] with length 5\n\ngoroutine 7 [running]:\n" +
	"runtime/debug.Stack()\n\t/usr/local/go/src/runtime/debug/stack.go:26 +0x5e\n" +
	strings.Repeat("asyncworkbook/phases/check.Within.func1.1()\n\t/work/phases/check/within.go:40 +0x85\n", 12) +
	"panic({0x5a1f60?, 0xc00001a0f0?})\n\t/usr/local/go/src/runtime/panic.go:783 +0x132\n" +
	"asyncworkbook/exercises/phase1/01-countdown.(*Countdown).Poll(0xc000012345, 0xc000067890)\n" +
	"\t/home/me/workbook/exercises/phase1/01-countdown/countdown.go:19 +0x1d\n" +
	"asyncworkbook/exercises/phase1/01-countdown.TestCountdown(0xc0000a2000)\n" +
	"\t/home/me/workbook/exercises/phase1/01-countdown/countdown_test.go:30 +0x99\n"

var twoFailures = check.Report{Status: check.Failed, Tests: []check.TestResult{
	{Name: "TestCountsDown", Status: check.Passed},
	{Name: "TestNeverReady", Status: check.Failed, Output: advice},
	{Name: "TestPanics", Status: check.Failed, Output: panicStack},
}}

// vpText is everything in the viewport (not only the visible window).
func vpText(m Model) string {
	m.vp.SetHeight(1000)
	m.vp.GotoTop()
	return testkeys.Plain(m.vp.View())
}

func TestFailuresWrapInsteadOfBeingCut(t *testing.T) {
	m, _, _ := newView(t, twoFailures)
	m = runCheck(t, m)
	v := strings.Join(strings.Fields(vpText(m)), " ")
	if !strings.Contains(v, "or a loop that never ends") {
		t.Fatalf("the advice at the end of a long line is lost at 80 columns:\n%s", vpText(m))
	}
	if strings.Contains(v, "✗ failed — failed:") {
		t.Errorf("the status is said twice: %s", v)
	}
}

func TestYourFramesComeFirstAndEnterExpands(t *testing.T) {
	m, _, _ := newView(t, twoFailures)
	m = runCheck(t, m)
	v := vpText(m)
	if !strings.Contains(v, "countdown.go:19 in (*Countdown).Poll") {
		t.Fatalf("the learner's frame is not shown with the collapsed output:\n%s", v)
	}
	if strings.Contains(v, "countdown_test.go:30 in") {
		t.Errorf("a test file's frame is shown as the learner's code")
	}
	if !strings.Contains(v, "more lines (tab to this test, enter shows all)") {
		t.Fatalf("a long stack is not collapsed:\n%s", v)
	}
	// The first failed test is selected; tab moves to the panic, enter
	// shows all of it.
	if m.selectedTest() != 1 {
		t.Fatalf("selected test %d, want 1 (the first failure)", m.selectedTest())
	}
	m, _ = press(m, "tab")
	if m.selectedTest() != 2 {
		t.Fatalf("after tab, selected %d, want 2", m.selectedTest())
	}
	if got := testkeys.Plain(m.View()); !strings.Contains(got, "▸ ✗ failed         TestPanics") {
		t.Fatalf("tab did not scroll the selected test into view:\n%s", got)
	}
	m, _ = press(m, "enter")
	v = vpText(m)
	if !strings.Contains(v, "countdown_test.go:30") || strings.Count(v, "more lines") != 0 {
		t.Fatalf("enter did not expand the selected test:\n%s", v)
	}
	m, _ = press(m, "enter")
	if !strings.Contains(vpText(m), "more lines") {
		t.Fatal("a second enter did not collapse it")
	}
	m, _ = press(m, "shift+tab")
	if m.selectedTest() != 1 {
		t.Fatalf("shift+tab: selected %d, want 1", m.selectedTest())
	}
}

func TestYourFramesParsesGoStacks(t *testing.T) {
	got := yourFrames(panicStack)
	if len(got) != 1 || got[0] != "countdown.go:19 in (*Countdown).Poll" {
		t.Fatalf("frames %q", got)
	}
	if f := yourFrames(advice); len(f) != 0 {
		t.Fatalf("frames in a plain message: %q", f)
	}
}

func TestWrappedOutputKeepsItsIndentation(t *testing.T) {
	got := wrapText("    a_test.go:9: one two three four five six\n        \tdeeper", 20)
	want := []string{"a_test.go:9: one two", "three four five six", "        deeper"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("got %q\nwant %q", got, want)
	}
}

// TestTheCheckOnOpeningKeepsTheStatementInView: the check an exercise
// runs as it opens does not scroll the statement away; a check the
// learner asks for shows its results.
func TestTheCheckOnOpeningKeepsTheStatementInView(t *testing.T) {
	m, _, _ := newView(t, twoFailures)
	m.SetSize(80, 12)
	cmd := m.Start(false)
	if !m.Checking() {
		t.Fatal("Start did not check")
	}
	m, _ = m.Update(cmd().(tea.BatchMsg)[0]())
	if m.vp.YOffset() != 0 || !strings.Contains(testkeys.Plain(m.View()), "Write Poll.") {
		t.Fatalf("the check on opening scrolled the statement away:\n%s", testkeys.Plain(m.View()))
	}
	m = runCheck(t, m)
	if m.vp.YOffset() == 0 {
		t.Fatal("a check asked for with c does not scroll to its results")
	}
}

// TestResetChecksTheSkeleton: after a reset the recorded status is the
// old code's; the view checks the restored skeleton at once.
func TestResetChecksTheSkeleton(t *testing.T) {
	m, g, _ := newView(t, passing, failing)
	m = runCheck(t, m)
	m, msgs := press(m, "r", "y")
	m, cmd := m.Update(msgs[0])
	if !m.Checking() || cmd == nil {
		t.Fatal("a reset did not check the skeleton")
	}
	m, _ = m.Update(cmd().(tea.BatchMsg)[0]())
	if g.checks != 2 || m.Report().Status != check.Failed {
		t.Fatalf("%d checks, status %v", g.checks, m.Report().Status)
	}
}

// TestRevealedTextIsScrolledIntoView: a hint and the solution appear at
// the top of the window, not below the check's results.
func TestRevealedTextIsScrolledIntoView(t *testing.T) {
	m, _, _ := newView(t, twoFailures)
	m.SetSize(80, 14)
	m = runCheck(t, m)
	m, _ = press(m, "h")
	if v := testkeys.Plain(m.View()); !strings.Contains(v, "Hint 1 of 3") || !strings.Contains(v, "Look at the fields") {
		t.Fatalf("the hint is not in view:\n%s", v)
	}
	m, _ = press(m, "s", "y")
	if v := testkeys.Plain(m.View()); !strings.Contains(v, "Solution") || !strings.Contains(v, "func solved()") {
		t.Fatalf("the solution is not in view:\n%s", v)
	}
}
