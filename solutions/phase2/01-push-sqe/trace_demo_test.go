package pushsqe

import (
	"fmt"
	"strings"
	"testing"

	"asyncworkbook/phases/check"
	"asyncworkbook/phases/trace"
)

// TestTraceDemo is "run mine" (m in the workbook's exercise view): a task
// pushes six READs with your Push into an SQ of four entries. The fifth
// finds it full: the SQEs are submitted (the simulated kernel consumes
// them, moving the head) and the push is tried again. Each sqe-prepared
// event shows the entry as the kernel saw it at your tail store, and
// where your head and tail stand; the completions are simulated.
// Skipped unless the workbook asks (it sets the trace file).
func TestTraceDemo(t *testing.T) {
	defer check.Guard(t, exercise)
	check.TraceDemo(t, func(sink trace.Sink) {
		const main = 1
		c := check.NewClock(sink)
		q := NewSQ(4, 0)
		k := NewKernel(q) // looks at each tail store; its goroutine is not started: submit below consumes
		cq := trace.RingPos{Entries: 8}
		sq := func() trace.RingPos {
			return trace.RingPos{Entries: uint32(len(q.Entries)), Head: q.Head.Load(), Tail: q.Tail.Load()}
		}
		rings := func(e *trace.Event) { e.SQ, e.CQ = sq(), cq }
		problems := 0
		newProblems := func() string {
			p := k.Problems()
			defer func() { problems = len(p) }()
			return strings.Join(p[problems:], "; ")
		}
		// submit is io_uring_enter: the kernel consumes every published
		// entry and stores the head.
		submit := func(wait bool, note string) int {
			n := q.Tail.Load() - q.Head.Load()
			q.Head.Store(q.Tail.Load())
			c.Say(trace.Submitted, 0, func(e *trace.Event) {
				rings(e)
				e.Count, e.Note = int(n), note
				if wait {
					e.Note = "wait"
				}
			})
			return int(n)
		}

		c.Say(trace.Spawned, main, func(e *trace.Event) { e.Name, e.By, e.Queue = "main", trace.SourceExecutor, 1 })
		c.Say(trace.Turn, 0, func(e *trace.Event) { e.Queue = 1 })
		c.Say(trace.PollStarted, main, nil)
		var pushed []Entry
		for i := range 6 {
			ent := Entry{Op: 22, Fd: 7, Off: uint64(i) * 4096, Len: 4096, UserData: uint64(0x101 + i)} // 22: IORING_OP_READ
			before := len(k.Seen())
			if !q.Push(ent) {
				if q.Tail.Load()-q.Head.Load() != uint32(len(q.Entries)) {
					check.Fail("Push said the SQ is full while it had room")
				}
				submit(false, "")
				if !q.Push(ent) {
					check.Fail("Push said the SQ is full right after the kernel consumed every entry")
				}
			}
			seen := k.Seen()
			got := ent
			note := "the tail did not move: the kernel has not seen this entry"
			if len(seen) > before {
				got, note = seen[len(seen)-1], ""
				if got != ent {
					note = fmt.Sprintf("at your tail store the slot held %+v, not the entry pushed: the kernel may read it before it is filled", got)
				}
			}
			if p := newProblems(); p != "" {
				note = p
			}
			pushed = append(pushed, got)
			c.Say(trace.WakerRegistered, main, func(e *trace.Event) { e.Holder = "io_uring READ" })
			c.Say(trace.SQEPrepared, main, func(e *trace.Event) {
				rings(e)
				e.Op, e.FD, e.UserData, e.Note = "READ", got.Fd, got.UserData, note
			})
		}
		c.Say(trace.PollEnded, main, nil)
		c.Say(trace.Parked, 0, nil)
		submit(true, "")
		// The (simulated) kernel completes every read, in order.
		cq.Tail += uint32(len(pushed))
		for i, p := range pushed {
			c.Say(trace.CQEReaped, main, func(e *trace.Event) {
				rings(e)
				e.Op, e.FD, e.UserData, e.Res = "READ", p.Fd, p.UserData, int32(p.Len)
			})
			c.Say(trace.Woken, main, func(e *trace.Event) {
				e.By = trace.SourceCompletion
				if i > 0 {
					e.Note = "coalesced"
				}
			})
			if i == 0 {
				c.Say(trace.Queued, main, func(e *trace.Event) { e.Queue = 1 })
			}
		}
		cq.Head = cq.Tail
		c.Say(trace.Unparked, 0, func(e *trace.Event) { rings(e); e.Note = "completion" })
		c.Say(trace.Turn, 0, func(e *trace.Event) { e.Queue = 1 })
		c.Say(trace.PollStarted, main, nil)
		c.Say(trace.PollEnded, main, func(e *trace.Event) { e.Ready = true })
		c.Say(trace.Completed, main, nil)
	})
}
