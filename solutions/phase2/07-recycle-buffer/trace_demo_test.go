package recyclebuf

import (
	"fmt"
	"strings"
	"testing"

	"asyncworkbook/phases/check"
	"asyncworkbook/phases/trace"
)

// TestTraceDemo is "run mine" (m in the workbook's exercise view): a
// task reads a socket through one multishot RECV and a ring of three
// provided buffers of 8 bytes, with your Stream. Data arrives twice: 12
// bytes (two buffers), read out 5 bytes at a time — each buffer goes
// back to the kernel only when your Read has emptied it; then 26 bytes
// while the task has not read, more than the ring holds, so the kernel
// ends the multishot with -ENOBUFS and the task arms a second RECV for
// the rest; then the end of the stream. The simulated kernel is the
// exercise's Ring; the trace's rings are the scenario's. Bytes that come
// out wrong (a buffer recycled too early is overwritten) stop the demo.
// Skipped unless the workbook asks (it sets the trace file).
func TestTraceDemo(t *testing.T) {
	defer check.Guard(t, exercise)
	check.TraceDemo(t, func(sink trace.Sink) {
		const task, fd = 1, 9
		c := check.NewClock(sink)
		ring := NewRing(3, 8)
		s := NewStream(ring)
		sq, cq := trace.RingPos{Entries: 8}, trace.RingPos{Entries: 8}
		rings := func(e *trace.Event) { e.SQ, e.CQ = sq, cq }
		ud := uint64(0x201)
		arm := func() {
			c.Say(trace.WakerRegistered, task, func(e *trace.Event) { e.Holder = "io_uring RECV" })
			sq.Tail++
			c.Say(trace.SQEPrepared, task, func(e *trace.Event) {
				rings(e)
				e.Op, e.FD, e.UserData, e.Note = "RECV", fd, ud, "multishot, buffer group 0"
			})
		}
		// park submits what is prepared and waits; the kernel's CQEs
		// (cqes) are then reaped and handed to your Deliver.
		park := func(cqes []CQE) {
			c.Say(trace.Parked, 0, nil)
			n := int(sq.Tail - sq.Head)
			sq.Head = sq.Tail
			c.Say(trace.Submitted, 0, func(e *trace.Event) { rings(e); e.Count, e.Note = n, "wait" })
			cq.Tail += uint32(len(cqes))
			for i, q := range cqes {
				note := "multishot: last CQE, the slot is free"
				if q.Flags&FlagMore != 0 {
					note = "multishot: F_MORE, the op goes on"
				}
				if bid, ok := q.BufferID(); ok {
					note += fmt.Sprintf(", buffer %d, ring %d/3 buffers free", bid, ring.Available())
				} else if q.Res == -ENOBUFS {
					note += ", -ENOBUFS: every buffer is taken"
				}
				c.Say(trace.CQEReaped, task, func(e *trace.Event) {
					rings(e)
					e.Op, e.FD, e.UserData, e.Res, e.Note = "RECV", fd, q.UserData, q.Res, note
				})
				s.Deliver(q)
				if i == 0 {
					c.Say(trace.Woken, task, func(e *trace.Event) { e.By = trace.SourceCompletion })
					c.Say(trace.Queued, task, func(e *trace.Event) { e.Queue = 1 })
				} else {
					c.Say(trace.Woken, task, func(e *trace.Event) { e.By, e.Note = trace.SourceCompletion, "coalesced" })
				}
			}
			cq.Head = cq.Tail
			c.Say(trace.Unparked, 0, func(e *trace.Event) { rings(e); e.Note = "completion" })
		}
		var got strings.Builder
		// poll reads out everything delivered, 5 bytes at a time.
		poll := func(want string, last bool) {
			c.Say(trace.Turn, 0, func(e *trace.Event) { e.Queue = 1 })
			c.Say(trace.PollStarted, task, nil)
			var read strings.Builder
			free := ring.Available()
			for p := make([]byte, 5); ; {
				n := s.Read(p)
				if n == 0 {
					break
				}
				read.Write(p[:n])
			}
			got.WriteString(read.String())
			if read.String() != want {
				check.Fail(fmt.Sprintf("the task read %q from your Stream, want %q (a buffer recycled before it was read out is overwritten with #)", read.String(), want))
			}
			if p := ring.Problems(); len(p) > 0 {
				check.Fail(p[0])
			}
			note := fmt.Sprintf("read %q; your Stream recycled %d buffer(s), ring %d/3 free", read.String(), ring.Available()-free, ring.Available())
			if last {
				c.Say(trace.PollEnded, task, func(e *trace.Event) { e.Ready, e.Note = true, note })
				return
			}
			c.Say(trace.WakerRegistered, task, func(e *trace.Event) { e.Holder = "io_uring RECV" })
			c.Say(trace.PollEnded, task, func(e *trace.Event) { e.Note = note })
		}
		arrive := func(data string) (cqes []CQE, rest string) {
			qs, r := ring.Arrive([]byte(data))
			for i := range qs {
				qs[i].UserData = ud
			}
			return qs, string(r)
		}

		c.Say(trace.Spawned, task, func(e *trace.Event) { e.Name, e.By, e.Queue = "reader", trace.SourceExecutor, 1 })
		c.Say(trace.Turn, 0, func(e *trace.Event) { e.Queue = 1 })
		c.Say(trace.PollStarted, task, nil)
		arm()
		c.Say(trace.PollEnded, task, nil)

		cqes, _ := arrive("hello, multi")
		park(cqes)
		poll("hello, multi", false)

		const second = "shot world! And more data."
		cqes, rest := arrive(second)
		if rest == "" {
			check.Fail("the ring took 26 bytes into 3 buffers of 8: were buffers recycled before they were read?")
		}
		park(cqes) // the last is -ENOBUFS: this RECV is over
		c.Say(trace.Turn, 0, func(e *trace.Event) { e.Queue = 1 })
		c.Say(trace.PollStarted, task, nil)
		var read strings.Builder
		for p := make([]byte, 5); ; {
			n := s.Read(p)
			if n == 0 {
				break
			}
			read.Write(p[:n])
		}
		if want := second[:len(second)-len(rest)]; read.String() != want {
			check.Fail(fmt.Sprintf("after -ENOBUFS the task read %q from your Stream, want %q (-ENOBUFS carries no buffer and no data)", read.String(), want))
		}
		got.WriteString(read.String())
		ud = 0x202 // a new multishot RECV for what the socket still holds
		arm()
		c.Say(trace.PollEnded, task, func(e *trace.Event) {
			e.Note = fmt.Sprintf("read %q; the multishot ended: armed a new RECV", read.String())
		})

		cqes, _ = arrive(rest)
		cqes = append(cqes, CQE{UserData: ud, Res: 0}) // the peer closed: no F_MORE
		park(cqes)
		poll(rest, true)
		c.Say(trace.Completed, task, nil)
		if got.String() != "hello, multishot world! And more data." {
			check.Fail(fmt.Sprintf("the task read %q in all", got.String()))
		}
	})
}
