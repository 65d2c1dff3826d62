package multishotcqes

import (
	"fmt"
	"testing"

	"asyncworkbook/phases/check"
	"asyncworkbook/phases/trace"
)

// TestTraceDemo is "run mine" (m in the workbook's exercise view): the
// op table of a simulated reactor, with your Complete deciding what each
// CQE means. An acceptor task arms one multishot ACCEPT, a reader one
// READ; the simulated kernel posts two ACCEPT CQEs with F_MORE (the op
// goes on: its slot must stay), the READ's only CQE (its slot is freed),
// then a WRITE takes the READ's freed slot with a new generation, and
// the ACCEPT is cancelled: its last CQE, -ECANCELED without F_MORE, ends
// it. Each cqe-reaped event says what your table did with it; a CQE
// refused or a slot kept or freed at the wrong time stops the demo.
// Skipped unless the workbook asks (it sets the trace file).
func TestTraceDemo(t *testing.T) {
	defer check.Guard(t, exercise)
	check.TraceDemo(t, func(sink trace.Sink) {
		const acceptor, reader, writer = 1, 2, 3
		const ecanceled = 125
		const cancelUD = 1<<63 | 1 // the reactor's own requests have bit 63 set
		c := check.NewClock(sink)
		var tab Table
		sq, cq := trace.RingPos{Entries: 8}, trace.RingPos{Entries: 8}
		rings := func(e *trace.Event) { e.SQ, e.CQ = sq, cq }
		type op struct {
			task uint64
			name string
			fd   int32
		}
		ops := map[uint64]op{}
		start := func(task uint64, name string, fd int32, multishot bool) uint64 {
			ud := tab.Start(multishot)
			ops[ud] = op{task, name, fd}
			c.Say(trace.WakerRegistered, task, func(e *trace.Event) { e.Holder = "io_uring " + name })
			sq.Tail++
			c.Say(trace.SQEPrepared, task, func(e *trace.Event) {
				rings(e)
				e.Op, e.FD, e.UserData = name, fd, ud
				e.Note = fmt.Sprintf("slot %d, generation %d", uint32(ud), uint32(ud>>32))
				if multishot {
					e.Note += ", multishot"
				}
			})
			return ud
		}
		poll := func(task uint64, then func()) {
			c.Say(trace.PollStarted, task, nil)
			if then != nil {
				then()
			}
			c.Say(trace.PollEnded, task, nil)
		}
		finish := func(task uint64) {
			c.Say(trace.PollStarted, task, nil)
			c.Say(trace.PollEnded, task, func(e *trace.Event) { e.Ready = true })
			c.Say(trace.Completed, task, nil)
		}
		// kernel submits, posts cqes and has the reactor reap them through
		// your Complete; wantSlot says whether each op's slot must stay.
		kernel := func(cqes []CQE, wantSlot []bool) {
			c.Say(trace.Parked, 0, nil)
			n := int(sq.Tail - sq.Head)
			sq.Head = sq.Tail
			c.Say(trace.Submitted, 0, func(e *trace.Event) { rings(e); e.Count, e.Note = n, "wait" })
			cq.Tail += uint32(len(cqes))
			for i, q := range cqes {
				if q.UserData == cancelUD { // the reactor's own: not in the table
					c.Say(trace.CQEReaped, 0, func(e *trace.Event) { rings(e); e.Op, e.UserData, e.Res = "ASYNC_CANCEL", q.UserData, q.Res })
					continue
				}
				o := ops[q.UserData]
				ok := tab.Complete(q)
				idx := uint32(q.UserData)
				if !ok {
					check.Fail(fmt.Sprintf("your Complete refused the %s CQE (res %d, user_data %#x), a CQE of an op in flight", o.name, q.Res, q.UserData))
				}
				inUse := int(idx) < len(tab.Slots) && tab.Slots[idx].InUse
				switch {
				case wantSlot[i] && !inUse:
					check.Fail(fmt.Sprintf("the %s CQE had F_MORE (the multishot goes on), but your Complete freed its slot", o.name))
				case !wantSlot[i] && inUse:
					check.Fail(fmt.Sprintf("the %s CQE was its op's last (no F_MORE), but your Complete kept slot %d in use", o.name, idx))
				}
				note := "multishot: last CQE, the slot is free"
				if q.Flags&FlagMore != 0 {
					note = "multishot: F_MORE, the op goes on"
				} else if !tab.Slots[idx].Multishot {
					note = ""
				}
				if note != "" {
					note += ", "
				}
				note += fmt.Sprintf("after your Complete slot %d is in use: %v, %d CQE(s) so far", idx, inUse, len(tab.Slots[idx].Got))
				c.Say(trace.CQEReaped, o.task, func(e *trace.Event) {
					rings(e)
					e.Op, e.FD, e.UserData, e.Res, e.Note = o.name, o.fd, q.UserData, q.Res, note
				})
				c.Say(trace.Woken, o.task, func(e *trace.Event) { e.By = trace.SourceCompletion })
				c.Say(trace.Queued, o.task, func(e *trace.Event) { e.Queue = 1 })
			}
			cq.Head = cq.Tail
			c.Say(trace.Unparked, 0, func(e *trace.Event) { rings(e); e.Note = "completion" })
		}

		c.Say(trace.Spawned, acceptor, func(e *trace.Event) { e.Name, e.By, e.Queue = "acceptor", trace.SourceExecutor, 1 })
		c.Say(trace.Spawned, reader, func(e *trace.Event) { e.Name, e.By, e.Queue = "reader", trace.SourceExecutor, 2 })
		var accept, read uint64
		poll(acceptor, func() { accept = start(acceptor, "ACCEPT", 7, true) })
		poll(reader, func() { read = start(reader, "READ", 8, false) })
		kernel([]CQE{{accept, 10, FlagMore}, {read, 512, 0}, {accept, 11, FlagMore}}, []bool{true, false, true})
		// The acceptor takes its two connections and waits for more; the
		// reader is done and hands over to a writer, which takes the slot
		// the READ left.
		poll(acceptor, func() { c.Say(trace.WakerRegistered, acceptor, func(e *trace.Event) { e.Holder = "io_uring ACCEPT" }) })
		var write uint64
		c.Say(trace.PollStarted, reader, nil)
		c.Say(trace.Spawned, writer, func(e *trace.Event) { e.Name, e.Queue = "writer", 1 })
		c.Say(trace.PollEnded, reader, func(e *trace.Event) { e.Ready = true })
		c.Say(trace.Completed, reader, nil)
		poll(writer, func() { write = start(writer, "WRITE", 8, false) })
		if uint32(write) != uint32(read) {
			check.Fail(fmt.Sprintf("the WRITE got slot %d, not the READ's freed slot %d: your Complete did not put the READ's slot back on Free", uint32(write), uint32(read)))
		}
		kernel([]CQE{{write, 512, 0}}, []bool{false})
		finish(writer)
		// Shutting down: the acceptor cancels its ACCEPT (ASYNC_CANCEL);
		// the kernel ends it with -ECANCELED, without F_MORE.
		poll(acceptor, func() {
			c.Say(trace.OpCancelled, acceptor, func(e *trace.Event) { e.Op, e.FD, e.UserData = "ACCEPT", 7, accept })
			sq.Tail++
			c.Say(trace.SQEPrepared, 0, func(e *trace.Event) {
				rings(e)
				e.Op, e.UserData, e.Note = "ASYNC_CANCEL", cancelUD, fmt.Sprintf("the reactor's own: cancels user_data %#x", accept)
			})
			c.Say(trace.WakerRegistered, acceptor, func(e *trace.Event) { e.Holder = "io_uring ACCEPT" })
		})
		kernel([]CQE{{cancelUD, 0, 0}, {accept, -ecanceled, 0}}, []bool{false, false})
		finish(acceptor)
		if s := tab.Slots[uint32(accept)]; !s.Ended || len(s.Got) != 3 {
			check.Fail(fmt.Sprintf("the ACCEPT's slot after its last CQE: ended %v with %d CQEs, want ended with 3", s.Ended, len(s.Got)))
		}
	})
}
