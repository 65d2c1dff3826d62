package check

import (
	"fmt"

	"asyncworkbook/phases/trace"
)

// Stamper hands out events stamped with a sequence number, a time and an
// executor id: an *executor.Executor is one (NewEvent, Emit), and so is
// the Clock from NewClock, for an exercise that runs no executor.
type Stamper interface {
	NewEvent(k trace.Kind, task uint64) *trace.Event
	Emit(e *trace.Event)
}

// Clock is a Stamper for a scenario without an executor (an exercise that
// is one piece of a runtime: a state word, a ring's push or reap side). It
// numbers events from 1, as executor 1, and its time moves on by Tick at
// every event: runtime time, so nothing the learner does while paused in
// the visualiser shows as age. One goroutine at a time (the scenario
// serialises its own events).
type Clock struct {
	sink trace.Sink
	seq  uint64
	now  int64
	ev   trace.Event
}

// Tick is how far a Clock's time moves at each event.
const Tick = 1000 // ns

// NewClock returns a Clock writing to sink.
func NewClock(sink trace.Sink) *Clock { return &Clock{sink: sink} }

// NewEvent returns the next event of kind k about task (0 for none). The
// event is reused by the next call.
func (c *Clock) NewEvent(k trace.Kind, task uint64) *trace.Event {
	c.seq++
	c.now += Tick
	c.ev = trace.Event{Seq: c.seq, Time: c.now, Exec: 1, Task: task, Kind: k}
	return &c.ev
}

// Emit sends e to the sink.
func (c *Clock) Emit(e *trace.Event) { c.sink.Event(e) }

// Say emits the next event of kind k about task, after fill (if not nil)
// has set its details.
func (c *Clock) Say(k trace.Kind, task uint64, fill func(e *trace.Event)) {
	e := c.NewEvent(k, task)
	if fill != nil {
		fill(e)
	}
	c.Emit(e)
}

// FakeRing traces what a real io_uring would show for requests that a
// fake kernel serves: SQEs prepared into an SQ, submitted in one enter,
// CQEs posted into a CQ and reaped. It keeps the two queues' heads and
// tails as the kernel would (free-running, from 0) and puts them on every
// event, so the visualiser's ring view agrees with the requests. It moves
// no data: the exercise's fake does the work, FakeRing tells the story.
//
// Executor goroutine only (or the Stamper's one goroutine).
type FakeRing struct {
	st      Stamper
	entries uint32
	sqHead  uint32
	sqTail  uint32
	cqHead  uint32
	cqTail  uint32
	ops     map[uint64]fakeRingOp // prepared, CQE not yet posted or reaped
	posted  []fakeCQE             // in the CQ, not reaped
}

type fakeRingOp struct {
	task uint64
	op   string
	fd   int32
}

type fakeCQE struct {
	ud  uint64
	res int32
}

// NewFakeRing returns a ring of entries slots (SQ and CQ alike) whose
// events go to st.
func NewFakeRing(st Stamper, entries uint32) *FakeRing {
	return &FakeRing{st: st, entries: entries, ops: map[uint64]fakeRingOp{}}
}

func (r *FakeRing) event(k trace.Kind, task uint64) *trace.Event {
	e := r.st.NewEvent(k, task)
	e.SQ = trace.RingPos{Entries: r.entries, Head: r.sqHead, Tail: r.sqTail}
	e.CQ = trace.RingPos{Entries: r.entries, Head: r.cqHead, Tail: r.cqTail}
	return e
}

// Prepare traces task filling an SQE for op (an opcode name, "READ") on
// fd with user_data ud. It panics if the SQ is full (the scenario submits
// before that) or ud is already in flight.
func (r *FakeRing) Prepare(task uint64, op string, fd int32, ud uint64) {
	if r.sqTail-r.sqHead == r.entries {
		panic("check.FakeRing: the SQ is full; Submit first")
	}
	if _, dup := r.ops[ud]; dup {
		panic(fmt.Sprintf("check.FakeRing: user_data %#x is already in flight", ud))
	}
	r.ops[ud] = fakeRingOp{task: task, op: op, fd: fd}
	r.sqTail++
	e := r.event(trace.SQEPrepared, task)
	e.Op, e.FD, e.UserData = op, fd, ud
	r.st.Emit(e)
}

// Submit traces one io_uring_enter that submits every SQE prepared
// since the last (the kernel's SQ head catches up with the tail); wait
// says it also waited for a completion. It returns how many it submitted.
func (r *FakeRing) Submit(wait bool) int {
	n := int(r.sqTail - r.sqHead)
	r.sqHead = r.sqTail
	e := r.event(trace.Submitted, 0)
	e.Count = n
	if wait {
		e.Note = "wait"
	}
	r.st.Emit(e)
	return n
}

// Post is the kernel posting the CQE of the request ud with result res
// (no event: nobody in the runtime sees it until it is reaped). It panics
// if ud is not in flight or the CQ is full.
func (r *FakeRing) Post(ud uint64, res int32) {
	if _, ok := r.ops[ud]; !ok {
		panic(fmt.Sprintf("check.FakeRing: a CQE for user_data %#x, which is not in flight", ud))
	}
	if r.cqTail-r.cqHead == r.entries {
		panic("check.FakeRing: the CQ is full; Reap first")
	}
	r.posted = append(r.posted, fakeCQE{ud, res})
	r.cqTail++
}

// Reap traces the reaping of every CQE in the CQ, oldest first: a
// CQEReaped for each (naming the task that asked, or no task if orphan,
// when not nil, says the request's future is gone), then handle(ud, res)
// — which wakes the task, the way the exercise's code does — and at the
// end one store of the CQ head. It returns how many it reaped.
func (r *FakeRing) Reap(orphan func(ud uint64) bool, handle func(ud uint64, res int32)) int {
	batch := r.posted
	r.posted = nil
	for _, c := range batch {
		o := r.ops[c.ud]
		delete(r.ops, c.ud)
		task := o.task
		if orphan != nil && orphan(c.ud) {
			task = 0
		}
		e := r.event(trace.CQEReaped, task)
		e.Op, e.FD, e.UserData, e.Res = o.op, o.fd, c.ud, c.res
		r.st.Emit(e)
		if handle != nil {
			handle(c.ud, c.res)
		}
	}
	r.cqHead = r.cqTail
	return len(batch)
}

// Cancel traces an op abandoned by its future: IORING_OP_ASYNC_CANCEL is
// asked for it (its CQE is still due, and Post delivers it).
func (r *FakeRing) Cancel(ud uint64) {
	o, ok := r.ops[ud]
	if !ok {
		return
	}
	e := r.event(trace.OpCancelled, o.task)
	e.Op, e.FD, e.UserData = o.op, o.fd, ud
	r.st.Emit(e)
}

// InFlight returns the user_data of every request prepared whose CQE is
// not yet posted, in no particular order.
func (r *FakeRing) InFlight() []uint64 {
	posted := map[uint64]bool{}
	for _, c := range r.posted {
		posted[c.ud] = true
	}
	var out []uint64
	for ud := range r.ops {
		if !posted[ud] {
			out = append(out, ud)
		}
	}
	return out
}
