package check

import (
	"fmt"
	"strings"
	"testing"

	"asyncworkbook/phases/trace"
)

// Trace is a recorded run, oldest event first, with the questions tests
// ask of it. Assertions on it are how a test knows the learner's code went
// through the runtime (polled, woken, parked) rather than around it.
type Trace []trace.Event

// Events returns what rec holds.
func Events(rec *trace.Recorder) Trace { return Trace(rec.Events()) }

// Of returns the events about one task.
func (tr Trace) Of(task uint64) Trace {
	var out Trace
	for _, e := range tr {
		if e.Task == task {
			out = append(out, e)
		}
	}
	return out
}

// Only returns the events of the given kinds.
func (tr Trace) Only(kinds ...trace.Kind) Trace {
	set := trace.NewKindSet(kinds...)
	var out Trace
	for _, e := range tr {
		if set.Has(e.Kind) {
			out = append(out, e)
		}
	}
	return out
}

// Count returns how many events of kind k concern task (task 0: any task,
// and executor-wide events).
func (tr Trace) Count(task uint64, k trace.Kind) int {
	n := 0
	for _, e := range tr {
		if e.Kind == k && (task == 0 || e.Task == task) {
			n++
		}
	}
	return n
}

// Polls returns how many times task was polled (its poll-started events).
func (tr Trace) Polls(task uint64) int { return tr.Count(task, trace.PollStarted) }

// TaskNamed returns the id of the task spawned with that name.
func (tr Trace) TaskNamed(name string) (uint64, bool) {
	for _, e := range tr {
		if e.Kind == trace.Spawned && e.Name == name {
			return e.Task, true
		}
	}
	return 0, false
}

// PollOrder returns the ids of the polled tasks, one per poll, in order.
func (tr Trace) PollOrder() []uint64 {
	var out []uint64
	for _, e := range tr {
		if e.Kind == trace.PollStarted {
			out = append(out, e.Task)
		}
	}
	return out
}

// LostWakeups returns the poll-ended events of polls that returned
// Pending although, during that poll, the task neither handed out its
// waker (waker-registered) nor was woken: nothing can wake such a task.
func (tr Trace) LostWakeups() Trace {
	var out Trace
	open := map[uint64]bool{} // task → its current poll arranged a wake-up
	for i, e := range tr {
		switch e.Kind {
		case trace.PollStarted:
			open[e.Task] = false
		case trace.WakerRegistered, trace.Woken:
			if _, polling := open[e.Task]; polling {
				open[e.Task] = true
			}
		case trace.PollEnded:
			arranged, polling := open[e.Task]
			delete(open, e.Task)
			if !polling || e.Ready || arranged {
				continue
			}
			if i+1 < len(tr) && tr[i+1].Kind == trace.Panicked && tr[i+1].Task == e.Task {
				continue // the poll panicked; the executor reports that
			}
			out = append(out, e)
		}
	}
	return out
}

// String prints every event, one a line.
func (tr Trace) String() string { return tr.Dump(0) }

// Dump prints the last max events (all of them if max <= 0), one a line,
// each line starting with a newline and a tab.
func (tr Trace) Dump(max int) string {
	var b strings.Builder
	evs := tr
	if max > 0 && len(evs) > max {
		fmt.Fprintf(&b, "\n\t... %d earlier events not shown", len(evs)-max)
		evs = evs[len(evs)-max:]
	}
	if len(evs) == 0 {
		b.WriteString("\n\t(no events)")
	}
	for _, e := range evs {
		b.WriteString("\n\t")
		b.WriteString(e.String())
	}
	return b.String()
}

// dumpLimit bounds the traces printed by the assertions below.
const dumpLimit = 120

// Polls fails the test unless task was polled exactly want times.
func Polls(t testing.TB, tr Trace, task uint64, want int) {
	t.Helper()
	if got := tr.Polls(task); got != want {
		t.Errorf("task T%d was polled %d times, want %d; its events:%s", task, got, want, tr.Of(task).Dump(dumpLimit))
	}
}

// WokenBy fails the test unless some wake of task came from source by
// (and, when by is trace.SourceTask and from is not 0, from task from).
func WokenBy(t testing.TB, tr Trace, task uint64, by trace.Source, from uint64) {
	t.Helper()
	for _, e := range tr {
		if e.Task == task && e.Kind == trace.Woken && e.By == by && (from == 0 || e.From == from) {
			return
		}
	}
	who := by.String()
	if by == trace.SourceTask && from != 0 {
		who = fmt.Sprintf("task T%d", from)
	}
	t.Errorf("task T%d was never woken by %s; its events:%s", task, who, tr.Of(task).Dump(dumpLimit))
}

// None fails the test if the trace holds an event of kind k about task
// (task 0: about anything). why says what such an event would mean.
func None(t testing.TB, tr Trace, task uint64, k trace.Kind, why string) {
	t.Helper()
	for _, e := range tr {
		if e.Kind == k && (task == 0 || e.Task == task) {
			t.Errorf("unexpected %s event (%s): %s\ntrace:%s", k, why, e, tr.Dump(dumpLimit))
			return
		}
	}
}

// Count fails the test unless the trace holds exactly want events of kind
// k about task (task 0: any).
func Count(t testing.TB, tr Trace, task uint64, k trace.Kind, want int, why string) {
	t.Helper()
	if got := tr.Count(task, k); got != want {
		subject := "the run"
		if task != 0 {
			subject = fmt.Sprintf("task T%d", task)
		}
		t.Errorf("%s has %d %s events, want %d (%s); trace:%s", subject, got, k, want, why, tr.Dump(dumpLimit))
	}
}

// NoLostWakeups fails the test for every poll that returned Pending
// without arranging a wake-up (see Trace.LostWakeups).
func NoLostWakeups(t testing.TB, tr Trace) {
	t.Helper()
	if lost := tr.LostWakeups(); len(lost) > 0 {
		t.Errorf("lost wakeup: task T%d returned Pending without handing its waker to anyone (no waker-registered and no woken event during that poll), so nothing can wake it again; trace:%s", lost[0].Task, tr.Dump(dumpLimit))
	}
}
