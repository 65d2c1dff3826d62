package parkuntil

import (
	"fmt"
	"testing"
	"time"

	"asyncworkbook/phases/check"
	"asyncworkbook/phases/trace"
)

// TestTraceDemo is "run mine" (m in the workbook's exercise view): a
// simulated executor parks with your Parker three times. First with a
// timer due in 5 ms and nothing to do: your Park must wait 5 ms, one
// kernel timeout (the queue view shows the park and its deadline). Then
// a task is woken while the executor is awake: your Wake must not notify
// the kernel, and your Park must return at once. Last with no timer and
// an empty inbox: your Park sleeps until a goroutine outside the
// executor calls your Wake, the one wake that costs an eventfd write.
// The kernel is the exercise's fake (its clock moves only when it waits
// out a deadline). Skipped unless the workbook asks (it sets the trace
// file).
func TestTraceDemo(t *testing.T) {
	defer check.Guard(t, exercise)
	check.TraceDemo(t, func(sink trace.Sink) {
		c := check.NewClock(sink)
		clock := &Clock{}
		k := NewKernel(clock)
		p := &Parker{Kernel: k, Inbox: &Inbox{}, Clock: clock, Timers: &Timers{}}
		const sleeper, worker = 1, 2
		lastWait := func() time.Duration {
			w := k.Waits()
			if len(w) == 0 {
				return 0
			}
			return w[len(w)-1]
		}

		// 1. A timer due in 5 ms, nothing else to do.
		c.Say(trace.Spawned, sleeper, func(e *trace.Event) { e.Name, e.By, e.Queue = "sleep 5 ms", trace.SourceExecutor, 1 })
		c.Say(trace.PollStarted, sleeper, nil)
		c.Say(trace.WakerRegistered, sleeper, func(e *trace.Event) { e.Holder = "timer wheel" })
		p.Timers.Deadlines = []time.Duration{5 * time.Millisecond}
		c.Say(trace.TimerArmed, sleeper, func(e *trace.Event) { e.Dur = int64(5 * time.Millisecond) })
		c.Say(trace.PollEnded, sleeper, nil)
		c.Say(trace.Parked, 0, nil)
		got := p.Park()
		if w := lastWait(); len(k.Waits()) != 1 || w != 5*time.Millisecond {
			check.Fail(fmt.Sprintf("with a timer due in 5 ms your Park waited %v (kernel waits %v): want one wait of 5ms", w, k.Waits()))
		}
		c.Say(trace.ParkedUntil, 0, func(e *trace.Event) { e.Dur, e.Note = int64(lastWait()), "next timer: your Park's one kernel timeout" })
		c.Say(trace.Unparked, 0, func(e *trace.Event) { e.Note = got })
		if got != "deadline" {
			check.Fail(fmt.Sprintf("Park returned %q after waiting out the timer, want \"deadline\"", got))
		}
		p.Timers.Deadlines = nil
		c.Say(trace.TimerFired, sleeper, nil)
		c.Say(trace.Woken, sleeper, func(e *trace.Event) { e.By = trace.SourceTimer })
		c.Say(trace.Queued, sleeper, func(e *trace.Event) { e.Queue = 1 })
		c.Say(trace.PollStarted, sleeper, nil)
		c.Say(trace.PollEnded, sleeper, func(e *trace.Event) { e.Ready = true })
		c.Say(trace.Completed, sleeper, nil)

		// 2. A wake while the executor is awake: no system call.
		c.Say(trace.Spawned, worker, func(e *trace.Event) { e.Name, e.By, e.Queue = "worker", trace.SourceExecutor, 1 })
		c.Say(trace.PollStarted, worker, nil)
		c.Say(trace.WakerRegistered, worker, func(e *trace.Event) { e.Holder = "goroutine outside" })
		c.Say(trace.PollEnded, worker, nil)
		p.Wake("worker")
		if n := k.Notifies(); n != 0 {
			check.Fail(fmt.Sprintf("Wake while the executor was awake notified the kernel (%d notifies): a system call for nothing", n))
		}
		c.Say(trace.Woken, worker, func(e *trace.Event) {
			e.By, e.Note = trace.SourceGoroutine, "while the executor was awake: your Wake pushed to the inbox, no eventfd write"
		})
		c.Say(trace.Queued, worker, func(e *trace.Event) { e.Queue = 1 })
		waits := len(k.Waits())
		if got := p.Park(); got != "work" || len(k.Waits()) != waits {
			check.Fail(fmt.Sprintf("Park with a task in the inbox returned %q after %d kernel waits: want \"work\" at once", got, len(k.Waits())-waits))
		}
		p.Inbox = &Inbox{} // the loop drains it and polls the worker
		c.Say(trace.PollStarted, worker, nil)
		c.Say(trace.WakerRegistered, worker, func(e *trace.Event) { e.Holder = "goroutine outside" })
		c.Say(trace.PollEnded, worker, nil)

		// 3. Nothing to do, no timer: park until a goroutine wakes us.
		c.Say(trace.Parked, 0, func(e *trace.Event) { e.Note = "no timer: until woken" })
		go func() {
			<-k.Entered // the executor sleeps in the kernel now
			p.Wake("worker")
		}()
		got = p.Park()
		if got != "notified" || k.Notifies() != 1 {
			check.Fail(fmt.Sprintf("Park with nothing to do returned %q after %d notifies: want \"notified\" after one", got, k.Notifies()))
		}
		if w := lastWait(); w != Forever {
			check.Fail(fmt.Sprintf("with no timer your Park waited %v, want Forever (until woken)", w))
		}
		c.Say(trace.EventfdWake, 0, func(e *trace.Event) { e.Note = "a goroutine outside the executor" })
		c.Say(trace.Woken, worker, func(e *trace.Event) { e.By = trace.SourceGoroutine })
		c.Say(trace.Queued, worker, func(e *trace.Event) { e.Queue = 1 })
		c.Say(trace.Unparked, 0, func(e *trace.Event) { e.Note = got })
		c.Say(trace.PollStarted, worker, nil)
		c.Say(trace.PollEnded, worker, func(e *trace.Event) { e.Ready = true })
		c.Say(trace.Completed, worker, nil)
	})
}
