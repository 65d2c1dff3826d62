//go:build linux || darwin

package pools

import (
	"fmt"
	"strings"
	"sync"

	executor "asyncworkbook/phase1-executor"
	"asyncworkbook/phases/trace"
)

// The pool's trace. Options.Sink receives the events of every executor of
// the pool: each executor keeps its own Exec id (the phase-1 executor's,
// unique in the process) and its own sequence numbers, and the pool adds
// the kinds of phase 4 — executor started, messages sent, published,
// woken and received, SubmitTo started, waiting and answered, and the
// shutdown's steps. Messages name the executor at the other end by its
// Exec id (Event.Peer) and the request by its number on its origin
// (Event.Req), so a viewer can draw a message from one column to another.
//
// Event order. A message's MsgSent and the MsgFlushed that publishes it
// are emitted before the store that makes it visible, and its MsgReceived
// after the load that takes it, so in the sink's order a message is
// always sent, then published, then received. (MsgWake comes after the
// store, since only the store can tell whether the receiver waited.)

// poolSink serializes the executors' events into one sink: the sink sees
// one event at a time, in one order, so any Sink (a Recorder, a JSON
// writer, a slice) is safe for the N executor goroutines. With a
// trace.Stepper behind it, the executor stopped at an event holds the
// lock while it waits, so every other executor waits at its next event:
// the stepper steps the whole pool.
type poolSink struct {
	mu sync.Mutex
	s  trace.Sink
}

// testHookSinkBusy, in tests, hears an executor (by Exec id) find the
// pool's sink busy with another executor's event, before it waits.
var testHookSinkBusy func(exec uint32)

func (p *poolSink) Event(e *trace.Event) {
	if !p.mu.TryLock() {
		if testHookSinkBusy != nil {
			testHookSinkBusy(e.Exec)
		}
		p.mu.Lock()
	}
	defer p.mu.Unlock()
	p.s.Event(e)
}

// tracing reports whether the executor reports events. Executor goroutine.
func (e *Executor) tracing() bool { return e.ex.Tracing() }

// peer returns executor i's Exec id.
func (e *Executor) peer(i int) uint32 { return e.pool.execs[i].ex.ID() }

// traceCount emits an executor-wide event of kind k with Count n.
func (e *Executor) traceCount(k trace.Kind, n int, note string) {
	ev := e.ex.NewEvent(k, 0)
	ev.Count, ev.Note = n, note
	e.ex.Emit(ev)
}

func msgOp(m message) string {
	if m.response {
		return "answer"
	}
	return "request"
}

// push puts msg on the channel towards to, reporting false if it is full.
// When tracing it tells of the message first, and of the flush Push makes
// by itself when a batch is full, before Push publishes it.
func (e *Executor) push(to int, o *outbox, msg message) bool {
	if !e.tracing() {
		return o.c.Push(msg)
	}
	c := o.c
	// The sender may read head at any time (an atomic the receiver
	// stores); room seen here is room Push finds.
	room := c.pushed-c.head.Load() < uint64(len(c.buf))
	if !room {
		return false
	}
	ev := e.ex.NewEvent(trace.MsgSent, 0)
	ev.Peer, ev.Op, ev.Req = e.peer(to), msgOp(msg), msg.req.id
	ev.Depth = int(c.pushed+1-c.head.Load()) + len(o.backlog)
	e.ex.Emit(ev)
	if c.pushed+1-c.published >= BatchSize {
		e.traceFlushed(to, int(c.pushed+1-c.published), int(c.pushed+1-c.head.Load()))
	}
	woke := c.woke
	c.Push(msg) // cannot fail: room was seen above
	if c.woke != woke {
		e.traceWake(to)
	}
	return true
}

// flush publishes what was pushed towards to.
func (e *Executor) flush(to int, o *outbox) {
	c := o.c
	if !e.tracing() || c.published == c.pushed {
		c.Flush()
		return
	}
	e.traceFlushed(to, int(c.pushed-c.published), int(c.pushed-c.head.Load()))
	woke := c.woke
	c.Flush()
	if c.woke != woke {
		e.traceWake(to)
	}
}

func (e *Executor) traceFlushed(to, n, depth int) {
	ev := e.ex.NewEvent(trace.MsgFlushed, 0)
	ev.Peer, ev.Count, ev.Depth = e.peer(to), n, depth
	e.ex.Emit(ev)
}

func (e *Executor) traceWake(to int) {
	ev := e.ex.NewEvent(trace.MsgWake, 0)
	ev.Peer = e.peer(to)
	e.ex.Emit(ev)
}

// traceReceived tells of a message just taken from executor from.
func (e *Executor) traceReceived(from int, msg message) {
	c := e.in[from]
	ev := e.ex.NewEvent(trace.MsgReceived, 0)
	ev.Peer, ev.Op, ev.Req = e.peer(from), msgOp(msg), msg.req.id
	ev.Depth = int(c.tail.Load() - c.taken)
	e.ex.Emit(ev)
}

// traceSubmit emits a SubmitTo event of kind k about request req towards
// executor dst, with n requests open; task is the task that asked (0 when
// the event is the mailbox's).
func (e *Executor) traceSubmit(k trace.Kind, task uint64, dst int, req uint64, n int, note string) {
	ev := e.ex.NewEvent(k, task)
	ev.Peer, ev.Req, ev.Count, ev.Note = e.peer(dst), req, n, note
	e.ex.Emit(ev)
}

// DryRun resolves p against top, as p.Plan does, and when the task's
// executor is traced reports the result as a PlacementPlanned event named
// label: the learner sees each policy's choice in the trace. From a task.
func DryRun(cx *executor.Context, label string, p Placement, top *Topology) (*Plan, error) {
	plan, err := p.Plan(top)
	ex := cx.Executor()
	if !ex.Tracing() {
		return plan, err
	}
	ev := ex.NewEvent(trace.PlacementPlanned, cx.TaskID())
	ev.Name = label
	if err != nil {
		ev.CPUs, ev.Note = "impossible", err.Error()
	} else {
		sets := make([]string, len(plan.Executors))
		for i, s := range plan.Executors {
			sets[i] = "-"
			if s.Len() > 0 {
				sets[i] = s.String()
			}
		}
		ev.CPUs = strings.Join(sets, " | ")
		ev.Note = fmt.Sprintf("usable %v of online %d", top.Usable(), len(top.CPUs))
	}
	ex.Emit(ev)
	return plan, err
}
