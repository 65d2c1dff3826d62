package wake

import (
	"fmt"
	"testing"

	executor "asyncworkbook/phase1-executor"
	"asyncworkbook/phases/check"
	"asyncworkbook/phases/trace"
)

// TestTraceDemo is "run mine" (m in the workbook's exercise view): your
// Chan between two executors, side by side in the executors view. The
// receiver is the workbook's executor, traced, running a task that takes
// twelve messages with your Recv. The sender is simulated: its turns run
// at fixed points — one batch of four before the receiver starts (it is
// not waiting: your Send must not wake it), then one batch each time the
// receiver's executor parks (it waits: the first Send of the batch wakes
// it, the other three must not). Each message is a flow from sender to
// receiver; a wake too many, a wake missing or a message lost stops the
// demo. Skipped unless the workbook asks (it sets the trace file).
func TestTraceDemo(t *testing.T) {
	defer check.Guard(t, exercise)
	check.TraceDemo(t, func(sink trace.Sink) {
		const batch, rounds = 4, 2
		c := New[int](batch)
		var ex *executor.Executor
		sender := &simExec{sink: sink}
		next := 0
		send := func(receiverWaits bool) {
			before := c.Wakes()
			for range batch {
				if !c.Send(next) {
					check.Fail(fmt.Sprintf("Send(%d) reported full on a ring the receiver had emptied", next))
				}
				sender.say(trace.MsgSent, func(e *trace.Event) {
					e.Peer, e.Op, e.Req, e.Depth = ex.ID(), "request", uint64(next), int(c.tail.Load()-c.head.Load())
				})
				next++
			}
			sender.say(trace.MsgFlushed, func(e *trace.Event) { e.Peer, e.Count, e.Depth = ex.ID(), batch, int(c.tail.Load()-c.head.Load()) })
			switch w := c.Wakes() - before; {
			case !receiverWaits && w > 0:
				check.Fail(fmt.Sprintf("a batch sent to a receiver that was not waiting fired %d wakes: Send must fire only after taking waiting from true to false", w))
			case receiverWaits && w == 0:
				check.Fail("a batch sent to a receiver that waits (its executor is parking) fired no wake: the receiver would sleep forever")
			case w > 1:
				check.Fail(fmt.Sprintf("a batch of %d messages to a waiting receiver fired %d wakes, want 1", batch, w))
			case w == 1:
				sender.say(trace.MsgWake, func(e *trace.Event) {
					e.Peer, e.Note = ex.ID(), "your Send took waiting from true to false and fired the waker"
				})
			}
		}
		d := check.NewDriver(func(n int) {
			if n > rounds {
				check.Fail(fmt.Sprintf("the receiver's executor parked a %dth time with every message sent and taken", n))
			}
			send(true)
		})
		ex = check.Executor(t, executor.WithSink(sink), executor.WithDriver(d))
		sender.exec = ex.ID() + 1 // another executor's id, for the view
		send(false)
		got := check.BlockOn(t, ex, executor.Async(func(a *executor.Awaiter) []int {
			var got []int
			for range batch * (rounds + 1) {
				v := executor.Await(a, c.Recv())
				got = append(got, v)
				e := ex.NewEvent(trace.MsgReceived, a.Context().TaskID())
				e.Peer, e.Op, e.Req, e.Depth = sender.exec, "request", uint64(v), int(c.tail.Load()-c.head.Load())
				ex.Emit(e)
			}
			return got
		}))
		for i, v := range got {
			if v != i {
				check.Fail(fmt.Sprintf("message %d is %d: messages lost or out of order: %v", i, v, got))
			}
		}
	})
}

// simExec stamps the simulated sender's events as those of an executor
// of its own: its own sequence numbers and time (1 µs an event).
type simExec struct {
	sink trace.Sink
	exec uint32
	seq  uint64
}

func (s *simExec) say(k trace.Kind, fill func(e *trace.Event)) {
	s.seq++
	e := trace.Event{Seq: s.seq, Time: int64(s.seq) * 1000, Exec: s.exec, Kind: k}
	fill(&e)
	s.sink.Event(&e)
}
