package needpreempt

import (
	"fmt"
	"testing"
	"time"

	"asyncworkbook/phases/check"
	"asyncworkbook/phases/trace"
)

// TestTraceDemo is "run mine" (m in the workbook's exercise view): a
// simulated executor with two task queues, batch (a CPU-bound task,
// crunch, that asks your NeedPreempt after every unit of work) and
// latency (a task, reply, woken by a packet). Your Preempter, with a
// budget of 3 polls, decides every stop: the slice's timer (your
// Expire), a latency wake that preempts batch, a late timer of an
// earlier slice that must change nothing, and the poll budget. The
// queue view shows each slice and why it ended. NeedPreempt reading the
// clock stops the demo. Skipped unless the workbook asks (it sets the
// trace file).
func TestTraceDemo(t *testing.T) {
	defer check.Guard(t, exercise)
	check.TraceDemo(t, func(sink trace.Sink) {
		c := check.NewClock(sink)
		clock := &Clock{}
		p := NewPreempter(clock, 3)
		const crunch, reply = 1, 2
		const slice = 500 * time.Microsecond
		const unit = 100 * time.Microsecond
		var batchVR, latencyVR uint64
		latencyReady := 0
		need := func() bool {
			reads := clock.Reads()
			v := p.NeedPreempt()
			if clock.Reads() != reads {
				check.Fail("NeedPreempt read the clock: the check a task makes after every unit of work must be a load, not a clock read")
			}
			return v
		}
		selectQ := func(name, why string) uint64 {
			c.Say(trace.QueueSelected, 0, func(e *trace.Event) {
				e.Name, e.Dur, e.Note = name, int64(slice), why
				e.Queues = trace.EncodeQueues([]trace.QueuePos{
					{Name: "batch", Vruntime: batchVR, Shares: 1000, Ready: 1},
					{Name: "latency", Vruntime: latencyVR, Shares: 1000, Ready: latencyReady, Latency: int64(time.Millisecond)},
				})
			})
			return p.StartSlice(slice)
		}
		// pollCrunch runs crunch's poll: units of work until NeedPreempt
		// says stop (after at most 10 units) or event(i) at unit i.
		pollCrunch := func(event func(i int)) (units int) {
			c.Say(trace.PollStarted, crunch, nil)
			p.Polled()
			for units = 1; units <= 10; units++ {
				clock.Advance(unit)
				batchVR += uint64(unit)
				if event != nil {
					event(units)
				}
				if need() {
					c.Say(trace.Yielded, crunch, func(e *trace.Event) { e.Note = fmt.Sprintf("after %d units: your NeedPreempt said stop", units) })
					break
				}
			}
			c.Say(trace.WakerRegistered, crunch, func(e *trace.Event) { e.Holder = "yield (itself)" })
			c.Say(trace.Woken, crunch, func(e *trace.Event) { e.By, e.From = trace.SourceTask, crunch })
			c.Say(trace.Queued, crunch, func(e *trace.Event) { e.Queue = 1 })
			c.Say(trace.PollEnded, crunch, nil)
			return units
		}

		c.Say(trace.Spawned, crunch, func(e *trace.Event) { e.Name, e.By, e.Queue = "crunch", trace.SourceExecutor, 1 })
		c.Say(trace.Spawned, reply, func(e *trace.Event) { e.Name, e.By, e.Queue = "reply", trace.SourceExecutor, 2 })
		c.Say(trace.PollStarted, reply, nil)
		c.Say(trace.WakerRegistered, reply, func(e *trace.Event) { e.Holder = "socket (a packet)" })
		c.Say(trace.PollEnded, reply, nil)

		// 1. The slice's timer ends it.
		g1 := selectQ("batch", "least vruntime")
		if n := pollCrunch(func(i int) {
			if i == 3 {
				p.Expire(g1) // the slice's timer, from the timer goroutine
			}
		}); n != 3 {
			check.Fail(fmt.Sprintf("the slice's timer fired (Expire) after unit 3, but crunch ran %d units: NeedPreempt did not see it", n))
		}
		c.Say(trace.SliceEnded, 0, func(e *trace.Event) { e.Name, e.Dur, e.Note = "batch", int64(3*unit), "slice expired" })

		// 2. A latency queue wakes: batch is preempted at its next check.
		g2 := selectQ("batch", "least vruntime; batch stopped: slice expired")
		if n := pollCrunch(func(i int) {
			if i == 2 {
				latencyReady = 1
				c.Say(trace.Woken, reply, func(e *trace.Event) { e.By, e.Note = trace.SourceGoroutine, "a packet arrived" })
				c.Say(trace.Queued, reply, func(e *trace.Event) { e.Queue = 1 })
				c.Say(trace.Preempted, 0, func(e *trace.Event) {
					e.Name, e.Note = "latency", "batch stops at its next NeedPreempt (your Expire of its slice)"
				})
				p.Expire(g2)
			}
		}); n != 2 {
			check.Fail(fmt.Sprintf("a latency queue preempted batch after unit 2, but crunch ran %d units", n))
		}
		c.Say(trace.SliceEnded, 0, func(e *trace.Event) { e.Name, e.Dur, e.Note = "batch", int64(2*unit), "preempted" })

		// 3. The latency slice; slice 2's timer fires late, in it.
		selectQ("latency", "latency matters; batch stopped: preempted")
		c.Say(trace.PollStarted, reply, nil)
		p.Polled()
		p.Expire(g2) // slice 2's own timer, late: slice 2 ended early
		if need() {
			check.Fail("the timer of slice 2 fired late, during slice 3, and your NeedPreempt says stop: Expire must only end the slice it was armed for (the generation)")
		}
		c.Say(trace.PollEnded, reply, func(e *trace.Event) { e.Ready, e.Note = true, "slice 2's late timer changed nothing" })
		c.Say(trace.Completed, reply, nil)
		latencyReady = 0
		latencyVR += uint64(unit)
		c.Say(trace.SliceEnded, 0, func(e *trace.Event) { e.Name, e.Dur, e.Note = "latency", int64(unit), "ran dry" })

		// 4. The poll budget: 3 polls, however short.
		selectQ("batch", "least vruntime; latency stopped: ran dry")
		polls := 0
		for polls < 10 {
			polls++
			c.Say(trace.PollStarted, crunch, nil)
			p.Polled()
			clock.Advance(unit / 10)
			c.Say(trace.WakerRegistered, crunch, func(e *trace.Event) { e.Holder = "yield (itself)" })
			c.Say(trace.Woken, crunch, func(e *trace.Event) { e.By, e.From = trace.SourceTask, crunch })
			c.Say(trace.Queued, crunch, func(e *trace.Event) { e.Queue = 1 })
			c.Say(trace.PollEnded, crunch, nil)
			if need() {
				break
			}
		}
		if polls != 3 {
			check.Fail(fmt.Sprintf("with a budget of 3 polls the slice ended after %d", polls))
		}
		c.Say(trace.SliceEnded, 0, func(e *trace.Event) { e.Name, e.Dur, e.Note = "batch", int64(polls)*int64(unit/10), "budget spent" })

		// 5. crunch's last poll.
		selectQ("batch", "least vruntime; batch stopped: budget spent")
		c.Say(trace.PollStarted, crunch, nil)
		p.Polled()
		c.Say(trace.PollEnded, crunch, func(e *trace.Event) { e.Ready = true })
		c.Say(trace.Completed, crunch, nil)
		c.Say(trace.SliceEnded, 0, func(e *trace.Event) { e.Name, e.Note = "batch", "ran dry" })
	})
}
