package wakerstate

import (
	"testing"

	"asyncworkbook/phases/check"
	"asyncworkbook/phases/trace"
)

// TestTraceDemo is "run mine" (m in the workbook's exercise view): one
// task T1 whose state word is your State, run by a small loop that does
// what your Wake, StartPoll and EndPoll answer. Wakes come from other
// goroutines: three while the task is idle or queued (one push, two
// coalesced), one during a poll (no push: EndPoll must re-queue), one
// after the task finished (ignored). Each event's note shows the word
// your code left. Skipped unless the workbook asks (it sets the trace
// file).
func TestTraceDemo(t *testing.T) {
	defer check.Guard(t, exercise)
	check.TraceDemo(t, func(sink trace.Sink) {
		const task = 1
		var s State
		c := check.NewClock(sink)
		queued := 0
		// wake fires the waker on another goroutine and waits for it, so
		// that the events stay in order.
		wake := func(when string) {
			done := make(chan bool)
			go func() { done <- s.Wake() }()
			push := <-done
			note := when + "; not pushed, state now " + Bits(s.Load())
			if push {
				note = when + "; pushed, state now " + Bits(s.Load())
			}
			c.Say(trace.Woken, task, func(e *trace.Event) { e.By, e.Note = trace.SourceGoroutine, note })
			if push {
				queued++
				c.Say(trace.Queued, task, func(e *trace.Event) { e.Queue = queued })
			}
		}
		// poll runs one poll that returns ready, with during (if not nil)
		// in the middle; it reports whether the task went back on the
		// queue.
		poll := func(ready bool, during func()) bool {
			c.Say(trace.Turn, 0, func(e *trace.Event) { e.Queue = queued })
			queued--
			s.StartPoll()
			c.Say(trace.PollStarted, task, func(e *trace.Event) { e.Note = "state now " + Bits(s.Load()) })
			if !ready {
				c.Say(trace.WakerRegistered, task, func(e *trace.Event) { e.Holder = "a helper goroutine" })
			}
			if during != nil {
				during()
			}
			requeue := s.EndPoll(ready)
			note := "state now " + Bits(s.Load())
			if requeue {
				note += "; re-queued"
			}
			c.Say(trace.PollEnded, task, func(e *trace.Event) { e.Ready, e.Note = ready, note })
			if requeue {
				queued++
				c.Say(trace.Queued, task, func(e *trace.Event) { e.Queue = queued })
			}
			return requeue
		}

		c.Say(trace.Spawned, task, func(e *trace.Event) { e.Name, e.By = "task", trace.SourceExecutor })
		wake("idle")
		wake("already queued")
		wake("already queued")
		if queued == 0 {
			return // nobody pushed it: it is never polled
		}
		if !poll(false, func() { wake("during the poll") }) {
			// The wake during the poll is lost: a real executor would
			// wait for the task forever. The trace ends here.
			return
		}
		poll(true, nil)
		if s.Load()&Completed != 0 {
			c.Say(trace.Completed, task, nil)
		}
		wake("after it finished")
	})
}
