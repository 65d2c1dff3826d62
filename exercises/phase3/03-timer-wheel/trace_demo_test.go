package timerwheel

import (
	"fmt"
	"testing"
	"time"

	"asyncworkbook/phases/check"
	"asyncworkbook/phases/trace"
)

// TestTraceDemo is "run mine" (m in the workbook's exercise view): a
// simulated executor whose timers live in your wheel. Three sleepers
// (3 ms, 1 ms and 20 ms, which starts on a higher level and cascades)
// and a 50 ms timeout that main cancels once they are done. The executor
// parks until the next deadline (the queue view shows how long), then
// calls your Advance, whose Fire callbacks are the timer-fired events;
// the cancel is your Cancel. A timer that fires early, late or twice, or
// a cancel that does not take it out, stops the demo with what went
// wrong. Skipped unless the workbook asks (it sets the trace file).
func TestTraceDemo(t *testing.T) {
	defer check.Guard(t, exercise)
	check.TraceDemo(t, func(sink trace.Sink) {
		c := check.NewClock(sink)
		w := NewWheel()
		var now time.Duration
		const main = 1
		type sleeper struct {
			id    uint64
			after time.Duration
			tm    Timer
			fired bool
		}
		sleepers := []*sleeper{{id: 2, after: 3 * time.Millisecond}, {id: 3, after: time.Millisecond}, {id: 4, after: 20 * time.Millisecond}}
		var ready []uint64
		arm := func(id uint64, tm *Timer, after time.Duration, fire func()) {
			c.Say(trace.WakerRegistered, id, func(e *trace.Event) { e.Holder = "timer wheel" })
			if !Mine.Insert(w, tm, now+after, fire) {
				check.Fail(fmt.Sprintf("Insert refused a timer due in %v (at %v, the wheel's time %d ticks)", after, now+after, w.Elapsed))
			}
			c.Say(trace.TimerArmed, id, func(e *trace.Event) { e.Dur = int64(after) })
		}
		wake := func(id uint64, by trace.Source) {
			c.Say(trace.Woken, id, func(e *trace.Event) { e.By = by })
			ready = append(ready, id)
			c.Say(trace.Queued, id, func(e *trace.Event) { e.Queue = len(ready) })
		}

		c.Say(trace.Spawned, main, func(e *trace.Event) { e.Name, e.By, e.Queue = "main", trace.SourceExecutor, 1 })
		c.Say(trace.PollStarted, main, nil)
		for _, s := range sleepers {
			c.Say(trace.Spawned, s.id, func(e *trace.Event) { e.Name, e.Queue = fmt.Sprintf("sleep %v", s.after), int(s.id-1) })
		}
		var timeout Timer
		arm(main, &timeout, 50*time.Millisecond, func() { check.Fail("the 50 ms timeout fired, but main had cancelled it") })
		c.Say(trace.PollEnded, main, nil)
		for _, s := range sleepers {
			c.Say(trace.PollStarted, s.id, nil)
			due := now + s.after
			arm(s.id, &s.tm, s.after, func() {
				if s.fired {
					check.Fail(fmt.Sprintf("the %v timer fired twice", s.after))
				}
				if now < due {
					check.Fail(fmt.Sprintf("the timer due at %v fired when Advance was called with %v: early", due, now))
				}
				s.fired = true
				c.Say(trace.TimerFired, s.id, nil)
				wake(s.id, trace.SourceTimer)
			})
			c.Say(trace.PollEnded, s.id, nil)
		}
		if w.N != len(sleepers)+1 {
			check.Fail(fmt.Sprintf("after %d Inserts the wheel says N = %d", len(sleepers)+1, w.N))
		}
		for _, at := range []time.Duration{time.Millisecond, 3 * time.Millisecond, 20 * time.Millisecond} {
			c.Say(trace.Parked, 0, nil)
			c.Say(trace.ParkedUntil, 0, func(e *trace.Event) { e.Dur, e.Note = int64(at-now), "next timer" })
			now = at
			n := Mine.Advance(w, now)
			c.Say(trace.Unparked, 0, func(e *trace.Event) { e.Note = fmt.Sprintf("deadline: your Advance(%v) fired %d", now, n) })
			for _, s := range sleepers {
				if s.after <= now && !s.fired {
					check.Fail(fmt.Sprintf("Advance(%v) did not fire the timer due at %v", now, s.after))
				}
			}
			done := ready
			ready = nil
			for _, id := range done {
				c.Say(trace.PollStarted, id, nil)
				c.Say(trace.PollEnded, id, func(e *trace.Event) { e.Ready = true })
				c.Say(trace.Completed, id, nil)
				// main joins its sleepers: each one's end wakes it.
				c.Say(trace.Woken, main, func(e *trace.Event) { e.By, e.From = trace.SourceTask, id })
			}
			if now == 20*time.Millisecond {
				break // the last sleeper: main finishes below
			}
			c.Say(trace.Queued, main, func(e *trace.Event) { e.Queue = 1 })
			c.Say(trace.PollStarted, main, nil)
			c.Say(trace.WakerRegistered, main, func(e *trace.Event) { e.Holder = "join handles" })
			c.Say(trace.PollEnded, main, nil)
		}
		// Every sleeper is done: main cancels its timeout and finishes.
		c.Say(trace.Queued, main, func(e *trace.Event) { e.Queue = 1 })
		c.Say(trace.PollStarted, main, nil)
		if !Mine.Cancel(w, &timeout) {
			check.Fail("Cancel of the pending 50 ms timeout returned false")
		}
		c.Say(trace.TimerCancelled, main, func(e *trace.Event) { e.Note = "every sleeper finished first" })
		if w.N != 0 {
			check.Fail(fmt.Sprintf("with every timer fired or cancelled the wheel says N = %d", w.N))
		}
		if n := Mine.Advance(w, 60*time.Millisecond); n != 0 {
			check.Fail(fmt.Sprintf("Advance(60ms) after the cancel fired %d timers", n))
		}
		c.Say(trace.PollEnded, main, func(e *trace.Event) { e.Ready = true })
		c.Say(trace.Completed, main, nil)
	})
}
