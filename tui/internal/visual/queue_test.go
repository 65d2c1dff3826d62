package visual

import (
	"strings"
	"testing"

	"asyncworkbook/phases/trace"
)

// queueEvents is a small phase-3 run, written out: two queues picked in
// turn, a park until the next timer, a wake from outside, a stall.
func queueEvents() []trace.Event {
	qs := func(gold, bronze uint64) string {
		return trace.EncodeQueues([]trace.QueuePos{
			{Name: "gold", Vruntime: gold, Shares: 2, Ready: 1},
			{Name: "bronze", Vruntime: bronze, Shares: 1, Ready: 1},
			{Name: "web", Vruntime: gold, Shares: 100, Ready: 0, Latency: 1000000},
		})
	}
	var evs []trace.Event
	add := func(e trace.Event) {
		e.Seq, e.Exec = uint64(len(evs)+1), 1
		e.Time = int64(len(evs)) * 1000
		evs = append(evs, e)
	}
	add(trace.Event{Kind: trace.Spawned, Task: 1, Name: "main"})
	for i := range uint64(6) {
		add(trace.Event{Kind: trace.QueueSelected, Name: []string{"gold", "bronze"}[i%2], Queues: qs(i*500, i*700), Dur: 500000, Note: "least vruntime"})
		add(trace.Event{Kind: trace.SliceEnded, Name: []string{"gold", "bronze"}[i%2], Note: "slice expired", Dur: 500000})
	}
	add(trace.Event{Kind: trace.Parked})
	add(trace.Event{Kind: trace.ParkedUntil, Dur: 1500000})
	add(trace.Event{Kind: trace.EventfdWake, Note: "from goroutine 7"})
	add(trace.Event{Kind: trace.Unparked, Note: "woken"})
	add(trace.Event{Kind: trace.Stall, Task: 1, Name: "gold", Dur: 20000000})
	return evs
}

func recordedQueues(w, h int) Model {
	m := NewRecorded("Task queues", "two queues share the CPU", queueEvents())
	m.SetSize(w, h)
	return m
}

func TestQueuePanelShowsThePickTheQueuesAndThePark(t *testing.T) {
	m := press(recordedQueues(100, 30), repeat("n", 15)...)
	v := plain(m.View())
	for _, want := range []string{"Task queues", "▶ bronze picked: least vruntime", "gold", "sh2", "≤1ms", "executor parked ≤ 1.5ms"} {
		if !strings.Contains(v, want) {
			t.Errorf("the queue view lacks %q:\n%s", want, v)
		}
	}
	m = press(m, repeat("n", 3)...)
	v = plain(m.View())
	for _, want := range []string{"executor awake", "from goroutine 7 ══ eventfd write ══▶ parked executor", "⚠ stall T1 in gold for 20ms"} {
		if !strings.Contains(v, want) {
			t.Errorf("after the wake and the stall, the view lacks %q:\n%s", want, v)
		}
	}
	// The chart: bronze's vruntime rose over six selections.
	if !strings.Contains(v, "▁") || !strings.Contains(v, "█") {
		t.Errorf("no vruntime line chart:\n%s", v)
	}
}

func TestQueuePanelOnlyForPhaseThree(t *testing.T) {
	if v := plain(recorded(120, 40).View()); strings.Contains(v, "Task queues") {
		t.Fatalf("phase-1 view shows the queue panel:\n%s", v)
	}
}

func TestQueueViewFits(t *testing.T) {
	for _, sz := range [][2]int{{80, 24}, {120, 40}, {60, 16}} {
		m := press(recordedQueues(sz[0], sz[1]), repeat("n", 16)...)
		v := plain(m.View())
		lines := strings.Split(strings.TrimSuffix(v, "\n"), "\n")
		if len(lines) != sz[1] {
			t.Errorf("%dx%d: %d lines", sz[0], sz[1], len(lines))
		}
		for i, l := range lines {
			if w := len([]rune(l)); w > sz[0] {
				t.Errorf("%dx%d: line %d is %d wide: %q", sz[0], sz[1], i, w, l)
			}
		}
		if sz == [2]int{80, 24} && !strings.Contains(v, "Task queues") {
			t.Errorf("80x24: no queue panel:\n%s", v)
		}
	}
}
