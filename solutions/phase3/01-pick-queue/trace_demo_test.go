package pickqueue

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"asyncworkbook/phases/check"
	"asyncworkbook/phases/trace"
)

// TestTraceDemo is "run mine" (m in the workbook's exercise view): three
// task queues on one simulated executor, each with a CPU-bound task that
// runs 1 ms per slice — gold (2 shares), bronze (1 share), and late (1
// share), which has nothing to do for the first 6 ms. Every pick is your
// Pick, every vruntime your Charge, late's lift when it wakes your
// Activate; the queue view shows each queue-selected event with every
// queue's vruntime as your code left it. The tasks and their slices are
// simulated (the time is the scenario's, not the clock's). Skipped
// unless the workbook asks (it sets the trace file).
func TestTraceDemo(t *testing.T) {
	defer check.Guard(t, exercise)
	check.TraceDemo(t, func(sink trace.Sink) {
		c := check.NewClock(sink)
		const burst = time.Millisecond
		qs := []*Queue{{Name: "gold", Shares: 2}, {Name: "bronze", Shares: 1}, {Name: "late", Shares: 1}}
		task := map[*Queue]uint64{}
		wakeAt := map[*Queue]time.Duration{qs[2]: 6 * burst}
		encode := func() string {
			pos := make([]trace.QueuePos, len(qs))
			for i, q := range qs {
				pos[i] = trace.QueuePos{Name: q.Name, Vruntime: q.Vruntime, Shares: q.Shares, Ready: q.Ready}
			}
			return trace.EncodeQueues(pos)
		}
		spawn := func(q *Queue) {
			task[q] = uint64(len(task) + 1)
			q.Ready = 1
			c.Say(trace.Spawned, task[q], func(e *trace.Event) { e.Name, e.By, e.Queue = q.Name+" work", trace.SourceExecutor, 1 })
		}
		for _, q := range qs[:2] {
			spawn(q)
		}
		var now time.Duration
		var last *Queue
		why := "least vruntime"
		ran := map[string]time.Duration{}
		for now < 16*burst {
			for q, at := range wakeAt {
				if now >= at {
					delete(wakeAt, q)
					before := q.Vruntime
					spawn(q)
					Mine.Activate(q, qs)
					c.Say(trace.Queued, task[q], func(e *trace.Event) {
						e.Queue = 1
						e.Note = fmt.Sprintf("queue %s is ready after %v idle; your Activate moved its vruntime from %d to %d", q.Name, at, before, q.Vruntime)
					})
				}
			}
			q := Mine.Pick(qs, last)
			switch {
			case q == nil:
				check.Fail("Pick returned nil while queues were ready: " + encode())
			case !slices.Contains(qs, q):
				check.Fail("Pick returned a queue that is not in the list")
			case q.Ready == 0:
				check.Fail("Pick returned queue " + q.Name + ", which has no ready task")
			}
			c.Say(trace.QueueSelected, 0, func(e *trace.Event) { e.Name, e.Queues, e.Dur, e.Note = q.Name, encode(), int64(burst), why })
			id := task[q]
			c.Say(trace.PollStarted, id, nil)
			c.Say(trace.WakerRegistered, id, func(e *trace.Event) { e.Holder = "yield (itself)" })
			c.Say(trace.Woken, id, func(e *trace.Event) { e.By, e.From = trace.SourceTask, id })
			c.Say(trace.Queued, id, func(e *trace.Event) { e.Queue = 1 })
			c.Say(trace.PollEnded, id, nil)
			now += burst
			Mine.Charge(q, burst)
			c.Say(trace.SliceEnded, 0, func(e *trace.Event) { e.Name, e.Dur, e.Note = q.Name, int64(burst), "slice expired" })
			why = "least vruntime; " + q.Name + " stopped: slice expired"
			last = q
			ran[q.Name] += burst
		}
		summary := fmt.Sprintf("the demo ends: each task finishes; CPU gold %v, bronze %v, late %v (shares 2:1:1, late from 6ms)", ran["gold"], ran["bronze"], ran["late"])
		// The scenario's time is up: each task's last poll returns Ready.
		for _, q := range qs {
			id := task[q]
			c.Say(trace.QueueSelected, 0, func(e *trace.Event) {
				e.Name, e.Queues, e.Dur, e.Note = q.Name, encode(), int64(burst), summary
			})
			c.Say(trace.PollStarted, id, nil)
			c.Say(trace.PollEnded, id, func(e *trace.Event) { e.Ready = true })
			c.Say(trace.Completed, id, nil)
			q.Ready = 0
			c.Say(trace.SliceEnded, 0, func(e *trace.Event) { e.Name, e.Note = q.Name, "ran dry" })
		}
	})
}
