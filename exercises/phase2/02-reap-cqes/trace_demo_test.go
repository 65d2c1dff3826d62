package reapcqes

import (
	"fmt"
	"testing"

	"asyncworkbook/phases/check"
	"asyncworkbook/phases/trace"
)

// TestTraceDemo is "run mine" (m in the workbook's exercise view): a task
// has five READs in flight; the simulated kernel posts four CQEs, out of
// order, into a CQ of four slots, and your Reap hands them over; the
// fifth can only be posted once your head store has freed a slot, and a
// second Reap gets it. Each cqe-reaped event is what your Reap passed
// on, with your head and tail; the submissions are simulated. Skipped
// unless the workbook asks (it sets the trace file).
func TestTraceDemo(t *testing.T) {
	defer check.Guard(t, exercise)
	check.TraceDemo(t, func(sink trace.Sink) {
		const main = 1
		c := check.NewClock(sink)
		q := NewCQ(4, 0)
		k := NewKernel(q)
		sq := trace.RingPos{Entries: 8}
		cq := func() trace.RingPos {
			return trace.RingPos{Entries: uint32(len(q.Entries)), Head: q.Head.Load(), Tail: q.Tail.Load()}
		}
		rings := func(e *trace.Event) { e.SQ, e.CQ = sq, cq() }
		lens := map[uint64]int32{0x101: 4096, 0x102: 4096, 0x103: 512, 0x104: 4096, 0x105: 0}
		woken := false
		// reap runs your Reap; each completion it hands over is traced,
		// and the first wakes main.
		reap := func() int {
			return q.Reap(func(cp Completion) {
				note := ""
				if _, ours := lens[cp.UserData]; !ours {
					note = fmt.Sprintf("user_data %#x is no request of ours: this slot was handed back to the kernel before it was read", cp.UserData)
				}
				c.Say(trace.CQEReaped, main, func(e *trace.Event) {
					rings(e)
					e.Op, e.FD, e.UserData, e.Res, e.Note = "READ", 7, cp.UserData, cp.Res, note
				})
				c.Say(trace.Woken, main, func(e *trace.Event) {
					e.By = trace.SourceCompletion
					if woken {
						e.Note = "coalesced"
					}
				})
				if !woken {
					c.Say(trace.Queued, main, func(e *trace.Event) { e.Queue = 1 })
				}
				woken = true
			})
		}
		poll := func(ready bool) {
			woken = false
			c.Say(trace.Turn, 0, func(e *trace.Event) { e.Queue = 1 })
			c.Say(trace.PollStarted, main, nil)
			if !ready {
				c.Say(trace.WakerRegistered, main, func(e *trace.Event) { e.Holder = "io_uring READ" })
			}
			c.Say(trace.PollEnded, main, func(e *trace.Event) { e.Ready = ready })
		}
		park := func(count int) {
			c.Say(trace.Parked, 0, nil)
			c.Say(trace.Submitted, 0, func(e *trace.Event) { rings(e); e.Count, e.Note = count, "wait" })
		}

		c.Say(trace.Spawned, main, func(e *trace.Event) { e.Name, e.By, e.Queue = "main", trace.SourceExecutor, 1 })
		c.Say(trace.Turn, 0, func(e *trace.Event) { e.Queue = 1 })
		c.Say(trace.PollStarted, main, nil)
		c.Say(trace.WakerRegistered, main, func(e *trace.Event) { e.Holder = "io_uring READ" })
		for ud := uint64(0x101); ud <= 0x105; ud++ {
			sq.Tail++
			c.Say(trace.SQEPrepared, main, func(e *trace.Event) { rings(e); e.Op, e.FD, e.UserData = "READ", 7, ud })
		}
		c.Say(trace.PollEnded, main, nil)
		sq.Head = sq.Tail
		park(5)
		k.Post(Completion{UserData: 0x103, Res: lens[0x103]}, Completion{UserData: 0x101, Res: lens[0x101]},
			Completion{UserData: 0x104, Res: lens[0x104]}, Completion{UserData: 0x102, Res: lens[0x102]})
		if reap() == 0 {
			check.Fail("Reap returned 0 with four CQEs in the CQ")
		}
		c.Say(trace.Unparked, 0, func(e *trace.Event) { rings(e); e.Note = "completion" })
		poll(false) // four of five done: wait for the last
		park(0)
		if q.Tail.Load()-q.Head.Load() == uint32(len(q.Entries)) {
			check.Fail("the CQ is still full after Reap: it did not store the head, so the kernel cannot post the last CQE")
		}
		k.Post(Completion{UserData: 0x105, Res: lens[0x105]})
		if reap() == 0 {
			check.Fail("Reap returned 0 with a CQE in the CQ")
		}
		c.Say(trace.Unparked, 0, func(e *trace.Event) { rings(e); e.Note = "completion" })
		poll(true)
		c.Say(trace.Completed, main, nil)
	})
}
