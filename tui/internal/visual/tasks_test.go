package visual

import (
	"strings"
	"testing"

	"asyncworkbook/phases/trace"
)

// oldPanicTrace is a panicking poll as older executors record it: the
// poll ends pending, then the panic.
var oldPanicTrace = []trace.Event{
	{Seq: 1, Exec: 1, Task: 1, Kind: trace.Spawned, Name: "main", By: trace.SourceExecutor, Queue: 1},
	{Seq: 2, Exec: 1, Kind: trace.Turn, Queue: 1},
	{Seq: 3, Exec: 1, Task: 1, Kind: trace.PollStarted},
	{Seq: 4, Exec: 1, Task: 1, Kind: trace.PollEnded},
	{Seq: 5, Exec: 1, Task: 1, Kind: trace.Panicked, Note: "index out of range"},
}

func TestAPanicIsShownAsAPanicNotALostWakeup(t *testing.T) {
	for _, w := range []int{80, 120} {
		m := NewRecorded("panic", "", oldPanicTrace)
		m.SetSize(w, 24)
		for step := 1; step <= len(oldPanicTrace); step++ {
			m = press(m, "n")
			v := plain(m.View())
			if strings.Contains(v, "stuck") || strings.Contains(v, "lost wakeup") && !strings.Contains(v, "not a lost wakeup") {
				t.Fatalf("%d columns, event %d: a panic shown as a lost wakeup:\n%s", w, step, v)
			}
			if step >= 4 && !strings.Contains(v, "✗ panicked: index out") {
				t.Fatalf("%d columns, event %d: the panic is not in the task table:\n%s", w, step, v)
			}
			if step == 4 && !strings.Contains(v, "Poll panicked") {
				t.Fatalf("event 4: the explanation does not say the poll panicked:\n%s", v)
			}
		}
	}
}

// TestLostWakeupWaitsForTheNextEventLive: at the end of a live history
// the poll's verdict is not known yet: the table says what is known (no
// one holds the waker), not "stuck" (the next event may be its panic).
func TestLostWakeupWaitsForTheNextEventLive(t *testing.T) {
	m := NewRecorded("live", "", oldPanicTrace[:4])
	m.SetSize(80, 24)
	m = press(m, "n", "n", "n", "n")
	v := plain(m.View())
	if !strings.Contains(v, "⚠ handed to no one") || strings.Contains(v, "stuck") {
		t.Fatalf("at the end of the history:\n%s", v)
	}
}

// TestWakerHeldByAtEveryWidth: the lost-wakeup lesson's key column is on
// screen at 80 columns and up, with every current holder.
func TestWakerHeldByAtEveryWidth(t *testing.T) {
	for _, w := range []int{80, 100, 120, 160} {
		m := press(recorded(w, 30), repeat("n", 18)...)
		v := plain(m.View())
		for _, want := range []string{"WAKER HELD BY", "join handle T2", "chan (recv)", "⚠ stuck: lost wakeup", "forgetful"} {
			if !strings.Contains(v, want) {
				t.Errorf("%d columns: %q not on screen:\n%s", w, want, v)
			}
		}
	}
	// A name longer than 11 characters shows whole from 100 columns.
	evs := []trace.Event{{Seq: 1, Exec: 1, Task: 1, Kind: trace.Spawned, Name: "accept-loop-worker", Queue: 1}}
	for _, w := range []int{100, 120} {
		m := press(NewRecorded("names", "", evs), "n")
		m.SetSize(w, 24)
		if v := plain(m.View()); !strings.Contains(v, "accept-loop-worker") {
			t.Errorf("at %d columns the name is cut:\n%s", w, v)
		}
	}
}

// TestCompactLayoutKeepsTheStep: in a small window the header keeps the
// step counter and the current event and its explanation are shown.
func TestCompactLayoutKeepsTheStep(t *testing.T) {
	for _, sz := range [][2]int{{40, 12}, {30, 8}, {49, 20}, {80, 15}} {
		m := press(recorded(sz[0], sz[1]), repeat("n", 18)...)
		v := plain(m.View())
		if !strings.Contains(v, "event 18/66") || !strings.Contains(v, "Now:") || !strings.Contains(v, "#18") {
			t.Errorf("%dx%d: compact view lacks the step, the event or its explanation:\n%s", sz[0], sz[1], v)
		}
	}
}

func TestCutDescriptionSaysWhereTheRestIs(t *testing.T) {
	about := strings.Repeat("A long description of what to watch for. ", 4)
	m := NewRecorded("demo", about, oldPanicTrace)
	m.SetSize(80, 24)
	if v := plain(m.View()); !strings.Contains(v, "(? shows all)") {
		t.Fatalf("a cut description does not point to ?:\n%s", v)
	}
	m = press(m, "?")
	if v := strings.Join(strings.Fields(strings.ReplaceAll(plain(m.View()), "│", " ")), " "); !strings.Contains(v, strings.TrimSpace(strings.Join(strings.Fields(about), " "))) {
		t.Fatalf("? does not show the whole description:\n%s", plain(m.View()))
	}
}

// TestANewerPanicTraceToo: a runtime that records a panicking poll as a
// panic only (no poll-ended) shows the same.
func TestANewerPanicTraceToo(t *testing.T) {
	evs := append(append([]trace.Event(nil), oldPanicTrace[:3]...), trace.Event{Seq: 4, Exec: 1, Task: 1, Kind: trace.Panicked, Note: "boom"})
	m := press(NewRecorded("panic", "", evs), "n", "n", "n", "n")
	m.SetSize(100, 24)
	v := plain(m.View())
	if !strings.Contains(v, "✗ panicked: boom") || strings.Contains(v, "stuck") {
		t.Fatalf("a panic-only trace:\n%s", v)
	}
}
