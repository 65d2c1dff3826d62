//go:build linux || darwin

package iouring

import (
	"errors"
	"fmt"
	"runtime"
	"sync"

	"golang.org/x/sys/unix"

	executor "asyncworkbook/phase1-executor"
	"asyncworkbook/phases/trace"
)

// Reactor is the phase-1 executor's Driver, made of an io_uring ring:
//
//   - a future that wants I/O takes an SQE, fills it, and records itself in
//     the op table under a user_data (step 1: prepare);
//   - once per loop turn the executor calls Poll, or Park when no task is
//     ready, and the reactor submits every pending SQE with one
//     io_uring_enter — Park also waits there for a completion (step 2:
//     submit);
//   - each CQE is matched to its op by user_data, its result stored and
//     the op's waker fired (step 3: reap and wake).
//
// Other goroutines (a Spawn, a Sleep's timer, a waker fired elsewhere)
// must be able to cut a Park short: the reactor keeps a READ of an eventfd
// in flight, and Unpark writes to that eventfd. The executor's sleeping
// flag makes sure Unpark only costs a write(2) when the executor really is
// parked.
//
// A Reactor belongs to the goroutine running its executor (Unpark aside).
// Create it with NewReactor, pass it to executor.New with WithDriver.
//
// # Why the ring is not tied to a locked OS thread (yet)
//
// The ring is set up without IORING_SETUP_SINGLE_ISSUER, so the kernel
// accepts io_uring_enter from whichever thread the executor's goroutine
// runs on. Requests are cancelled only when the thread that submitted them
// exits, and Go ends a thread only when a goroutine locked to it exits, so
// an unlocked executor cannot lose its requests that way. Locking the
// executor's goroutine (runtime.LockOSThread) for its whole life would
// also pin every Async coroutine to that thread — iter.Pull refuses to
// resume a coroutine on another thread or lock state — and an executor
// closed from another goroutine would then crash. Phase 4 gives each
// executor a pinned thread it owns from setup to close; that is where
// SINGLE_ISSUER and DEFER_TASKRUN belong (NewReactorWith, WithSingleIssuer,
// WithDeferTaskrun: the caller owns the thread).
type Reactor struct {
	ring  Rings              // io_uring, or the pure-Go fallback
	why   string             // why this ring: "io_uring", or the reason for the fallback
	setup string             // SetupFlags
	ex    *executor.Executor // set by Attach

	ops  []op     // the op table; user_data carries an index into it
	free []uint32 // free op indexes

	inflight int     // ops whose CQE has not come
	closed   bool    // Close ran
	err      error   // the ring failed for good (Err); every later op fails with it
	pool     bufPool // the buffers file reads and writes give the kernel
	probe    *Probe  // what the ring supports

	park parkDeadline // ParkTimeout's state (park_deadline.go)

	completeFn func(CQE) // r.complete, made once (reap)

	// fixed is the registered buffers and file slots (fixed_linux.go);
	// nil until EnableFixed.
	fixed *fixedState
	// fast is the provided-buffer ring multishot receives take from
	// (multishot_linux.go); nil until EnableMultishot.
	fast *fastState
}

// # user_data
//
// An op's user_data is its generation and its index in the op table:
//
//	bit 63      0 for ops; 1 for the reactor's own requests
//	bits 62-32  the slot's generation, modulo 2³¹ (genMask)
//	bits 31-0   the slot's index
//
// The reactor's own requests carry user_data with the top bit set (see
// also udEventfd); their CQEs wake nobody. An op's generation is masked to
// 31 bits, so however often a slot is reused — the LIFO free list gives
// one slot almost every op of a busy connection — its user_data can never
// have the top bit set and never equals a reserved value. The generation
// only tells a stale ASYNC_CANCEL from the slot's next op, and a slot is
// reused only after its CQE, so wrapping after 2³¹ reuses is harmless.
const (
	udCancel      uint64 = 1<<63 | 2 // an ASYNC_CANCEL
	udLinkTimeout uint64 = 1<<63 | 3 // a LINK_TIMEOUT guarding another op

	genMask uint32 = 1<<31 - 1
)

// opUserData is the user_data of the op in slot idx at generation gen.
func opUserData(gen, idx uint32) uint64 { return uint64(gen&genMask)<<32 | uint64(idx) }

// op is one in-flight request: who waits for it, what it returned, and the
// memory the kernel may touch until its CQE arrives.
type op struct {
	gen    uint32 // bumped on each reuse, modulo 2³¹: a stale user_data cannot hit a new op
	state  opState
	failed bool // completed by Reactor.fail, not by a CQE: never reused
	code   Op
	fd     int32  // for the trace
	task   uint64 // for the trace
	waker  executor.Waker
	res    int32
	flags  uint32

	// pin keeps the Go memory the kernel reads or writes (a buffer) in
	// place until the CQE: the collector neither moves nor frees it.
	pin runtime.Pinner
	// keep holds values the kernel reads at prep time or later (a path, a
	// sockaddr, a timespec), so they stay reachable until the CQE.
	keep any
	// orphaned is called with the result when the CQE of an op whose
	// future was dropped arrives: e.g. close a connection accepted after
	// the cancel.
	orphaned func(res int32)
	// multi, if set, makes this a multishot op (multishot_linux.go): every
	// CQE goes to it, and only the last one (no IORING_CQE_F_MORE) frees
	// the slot.
	multi func(c CQE)
}

type opState uint8

const (
	opFree     opState = iota
	opInFlight         // SQE prepared or submitted; waiting for the CQE
	opDone             // CQE arrived; the future has not collected it yet
	opOrphaned         // the future was dropped; waiting for the CQE to clean up
)

// NewReactor creates a reactor with room for entries SQEs. It uses the
// kernel's io_uring when it can, and the pure-Go FallbackRing when it
// cannot (io_uring_setup refused: ENOSYS, EPERM from seccomp or
// kernel.io_uring_disabled, an old kernel) or when the environment says
// WORKBOOK_RING=fallback. RingKind says which, and why.
func NewReactor(entries uint32) (*Reactor, error) { return NewReactorWith(entries) }

// MaxEntries is the largest SQ size NewReactor accepts (the kernel's
// IORING_MAX_ENTRIES).
const MaxEntries = 32768

// checkEntries rejects an SQ size io_uring_setup would refuse, on both
// rings, so a bad argument is an error and not a silent fallback.
func checkEntries(entries uint32) error {
	if entries == 0 || entries > MaxEntries {
		return fmt.Errorf("iouring: %d SQ entries: want 1 to %d", entries, MaxEntries)
	}
	return nil
}

func newFallbackReactor(entries uint32, why string) (*Reactor, error) {
	if err := checkEntries(entries); err != nil {
		return nil, err
	}
	fb := NewFallbackRing(entries)
	return register(&Reactor{ring: fb, why: "fallback ring: " + why, probe: fb.Probe(), setup: "fallback ring (no setup flags)"}), nil
}

// live holds every reactor not yet closed. A reactor dropped without Close
// while the kernel may still write its pinned buffers must not be
// collected: its Pinners would be freed with pins held (the runtime
// panics, "found leaking pinned pointer") and the memory reused under the
// kernel's pending writes. A forgotten reactor leaks instead, ring and
// buffers, which is the lesser harm. Guarded by liveMu.
var (
	liveMu sync.Mutex
	live   = map[*Reactor]struct{}{}
)

func register(r *Reactor) *Reactor {
	liveMu.Lock()
	live[r] = struct{}{}
	liveMu.Unlock()
	return r
}

func unregister(r *Reactor) {
	liveMu.Lock()
	delete(live, r)
	liveMu.Unlock()
}

// RingInUse says which ring a reactor made now would run on, and why:
// what the workbook shows the learner before any demo runs.
func RingInUse() string {
	r, err := NewReactor(2)
	if err != nil {
		return "none: " + err.Error()
	}
	defer r.Close()
	return r.RingKind()
}

// RingKind says which ring runs: "io_uring", or "fallback ring: " and the
// reason io_uring was not used.
func (r *Reactor) RingKind() string { return r.why }

// Attach implements executor.Attacher.
func (r *Reactor) Attach(ex *executor.Executor) { r.ex = ex }

// Rings returns the reactor's queues, for inspection (the visualiser draws
// the SQ and CQ).
func (r *Reactor) Rings() Rings { return r.ring }

// Probe returns what the running kernel supports.
func (r *Reactor) Probe() *Probe { return r.probe }

// InFlight returns the number of ops whose CQE has not arrived.
func (r *Reactor) InFlight() int { return r.inflight }

// ErrClosed is returned for I/O started on a closed reactor, and is the
// fatal error (Err) of an executor that parks on one.
var ErrClosed = errors.New("iouring: reactor closed")

// Err implements executor.Failer: the error that ended the ring for good
// (io_uring_enter failing with something retrying will not cure, or a
// Park after Close), or nil. The executor stops with it; every op in
// flight has been completed with it.
func (r *Reactor) Err() error { return r.err }

// fail records a fatal error and fails every op in flight with it, waking
// their tasks. Their memory stays pinned: the kernel's view of the ring is
// unknown, so a buffer is never handed back without its CQE.
func (r *Reactor) fail(err error) {
	if r.err != nil {
		return
	}
	r.err = err
	for i := range r.ops {
		o := &r.ops[i]
		if o.state != opInFlight {
			continue
		}
		o.state, o.failed = opDone, true
		if r.ex != nil {
			r.ex.WakeFromDriver(o.waker, trace.SourceCompletion)
		} else {
			o.waker.WakeBy(trace.SourceCompletion)
		}
	}
}

// prepare takes an SQE for a new op on behalf of the task polling cx,
// fills in the op table entry, and returns the SQE for the caller to prep.
// When the SQ is full it submits what is there and tries again: a full SQ
// is a reason to enter the kernel early, not an error.
func (r *Reactor) prepare(cx *executor.Context, code Op) (*SQE, uint32, error) {
	if r.closed {
		return nil, 0, ErrClosed
	}
	if r.err != nil {
		return nil, 0, r.err
	}
	sqe := r.ring.NextSQE()
	if sqe == nil {
		if err := r.submit(0); err != nil {
			return nil, 0, err
		}
		if sqe = r.ring.NextSQE(); sqe == nil {
			return nil, 0, ErrSQFull
		}
	}
	var idx uint32
	if n := len(r.free); n > 0 {
		idx = r.free[n-1]
		r.free = r.free[:n-1]
	} else {
		r.ops = append(r.ops, op{})
		idx = uint32(len(r.ops) - 1)
	}
	o := &r.ops[idx]
	o.gen = (o.gen + 1) & genMask
	o.state = opInFlight
	o.code = code
	o.task = cx.TaskID()
	o.waker = cx.WakerFor(holders[code])
	r.inflight++
	sqe.UserData = opUserData(o.gen, idx)
	return sqe, idx, nil
}

// reserve makes sure the SQ has room for n more SQEs, submitting what it
// holds if not.
func (r *Reactor) reserve(n uint32) {
	sq := r.ring.SQ()
	if sq.Entries-(sq.Tail-sq.Head) < n {
		_ = r.submit(0)
	}
}

// linkTimeout links an IORING_OP_LINK_TIMEOUT (5.5) after sqe: sqe gets
// IOSQE_IO_LINK, and the kernel cancels it if ts passes first. The
// timespec is copied by the kernel when it prepares the timeout, which
// happens in this turn's io_uring_enter; the reactor keeps it until then
// in the op that asked.
func (r *Reactor) linkTimeout(sqe *SQE, ts *Timespec, task uint64) {
	lt := r.ring.NextSQE()
	if lt == nil {
		return // reserve made room; cannot happen, and the op then runs unbounded
	}
	sqe.Flags |= SQEIOLink
	lt.PrepLinkTimeout(ts, 0)
	lt.UserData = udLinkTimeout
	r.traceSQE(lt, task)
}

// traceSQE records a prepared SQE (after the caller filled it).
func (r *Reactor) traceSQE(sqe *SQE, task uint64) {
	if r.ex == nil || !r.ex.Tracing() {
		return
	}
	e := r.ex.NewEvent(trace.SQEPrepared, task)
	e.Op, e.UserData, e.FD = Op(sqe.Opcode).String(), sqe.UserData, sqe.Fd
	r.fastSQE(e, sqe) // a registered-file slot, a direct descriptor (fastpos_linux.go)
	r.ringPos(e)
	r.ex.Emit(e)
}

// traceOwnSQE records one of the reactor's own SQEs (the eventfd READ, an
// ASYNC_CANCEL, a LINK_TIMEOUT) like any other, so the trace's SQE and CQE
// counts agree. fd is the descriptor the request concerns (for a cancel,
// the cancelled op's).
func (r *Reactor) traceOwnSQE(sqe *SQE, task uint64, fd int32) {
	if sqe == nil || r.ex == nil || !r.ex.Tracing() {
		return
	}
	e := r.ex.NewEvent(trace.SQEPrepared, task)
	e.Op, e.UserData, e.FD = Op(sqe.Opcode).String(), sqe.UserData, fd
	r.ringPos(e)
	r.ex.Emit(e)
}

// submit enters the kernel once with every pending SQE, waiting for wait
// CQEs, then reaps whatever completed. An error other than EBUSY/EAGAIN
// (a full CQ: reap and come back) is fatal: the reactor fails with it.
func (r *Reactor) submit(wait uint32) error {
	if r.err != nil {
		return r.err
	}
	pending := r.ring.Pending()
	n, err := r.ring.Submit(wait)
	if err != nil && !errors.Is(err, unix.EBUSY) && !errors.Is(err, unix.EAGAIN) {
		r.fail(err)
		return err
	}
	if r.ex != nil && r.ex.Tracing() && (pending > 0 || wait > 0) {
		e := r.ex.NewEvent(trace.Submitted, 0)
		e.Count = n
		r.ringPos(e)
		if wait > 0 {
			e.Note = "wait"
		}
		r.ex.Emit(e)
	}
	r.reap()
	return nil
}

// reap handles every ready CQE.
func (r *Reactor) reap() int {
	if r.completeFn == nil {
		// The method value r.complete, made once: made at each call it
		// escapes (Reap is an interface method) and costs an allocation
		// per reap.
		r.completeFn = r.complete
	}
	return r.ring.Reap(r.completeFn)
}

// complete handles one CQE: step 3.
func (r *Reactor) complete(c CQE) {
	if r.ring.Consumed(c) {
		r.traceCQE(c, OpRead, 0, -1) // the wakeup (eventfd READ)
		return
	}
	if r.park.ownsCQE(c) {
		r.traceCQE(c, OpTimeout, 0, -1) // a park's timeout (park_deadline.go)
		return
	}
	switch c.UserData {
	case udCancel:
		r.traceCQE(c, OpAsyncCancel, 0, -1)
		return
	case udLinkTimeout:
		r.traceCQE(c, OpLinkTimeout, 0, -1)
		return
	}
	idx, gen := uint32(c.UserData), uint32(c.UserData>>32)
	if c.UserData>>63 != 0 || int(idx) >= len(r.ops) || r.ops[idx].gen != gen || r.ops[idx].failed {
		return // not ours (cannot happen unless the table is corrupt)
	}
	o := &r.ops[idx]
	if o.multi != nil {
		r.completeMulti(idx, c)
		return
	}
	r.inflight--
	switch o.state {
	case opInFlight:
		o.res, o.flags, o.state = c.Res, c.Flags, opDone
		r.traceCQE(c, o.code, o.task, o.fd)
		if r.ex != nil {
			r.ex.WakeFromDriver(o.waker, trace.SourceCompletion)
		} else {
			o.waker.WakeBy(trace.SourceCompletion)
		}
	case opOrphaned:
		r.traceCQE(c, o.code, 0, o.fd) // an orphan: nobody to wake
		if o.orphaned != nil {
			o.orphaned(c.Res)
		}
		r.release(idx)
	}
}

// traceCQE records a reaped CQE; fd is the op's descriptor (-1 for the
// reactor's own requests), so a cancelled op's CQE names its fd too.
func (r *Reactor) traceCQE(c CQE, code Op, task uint64, fd int32) {
	if r.ex == nil || !r.ex.Tracing() {
		return
	}
	e := r.ex.NewEvent(trace.CQEReaped, task)
	e.Op, e.UserData, e.Res, e.FD = code.String(), c.UserData, c.Res, fd
	r.ringPos(e)
	r.ex.Emit(e)
}

// ringPos records where the SQ and CQ stand, for the visualiser.
func (r *Reactor) ringPos(e *trace.Event) {
	sq, cq := r.ring.SQ(), r.ring.CQ()
	e.SQ = trace.RingPos{Entries: sq.Entries, Head: sq.Head, Tail: sq.Tail}
	e.CQ = trace.RingPos{Entries: cq.Entries, Head: cq.Head, Tail: cq.Tail}
	r.fastPos(e) // the provided-buffer ring and the file table (fastpos_linux.go)
}

// adopt gives an orphaned op a new owner: the task polling cx waits for
// its CQE as if it had started the op (a stream's next Read taking over
// the RECV an earlier Read abandoned). The ASYNC_CANCEL already sent may
// still win: the CQE then says -ECANCELED.
func (r *Reactor) adopt(idx uint32, cx *executor.Context) {
	o := &r.ops[idx]
	if o.state != opOrphaned {
		return
	}
	o.state, o.orphaned = opInFlight, nil
	o.task = cx.TaskID()
	o.waker = cx.WakerFor(holders[o.code])
}

// ringFailed reports whether err is the reactor's fatal error: the op's
// memory may still be written by the kernel and must not be reused.
func (r *Reactor) ringFailed(err error) bool {
	return r.err != nil && err != nil && errors.Is(err, r.err) && r.err != ErrClosed
}

// release unpins an op's memory and returns its slot to the free list.
func (r *Reactor) release(idx uint32) {
	o := &r.ops[idx]
	o.pin.Unpin()
	o.keep, o.orphaned, o.waker, o.multi = nil, nil, executor.Waker{}, nil
	o.state = opFree
	r.free = append(r.free, idx)
}

// cancel abandons an in-flight op whose future was dropped: the kernel is
// asked to cancel it (IORING_OP_ASYNC_CANCEL), and its slot — with its
// pinned memory — stays until the CQE says what happened.
func (r *Reactor) cancel(idx uint32, orphaned func(res int32)) {
	o := &r.ops[idx]
	if o.failed {
		return // never released: see fail
	}
	switch o.state {
	case opDone:
		if orphaned != nil {
			orphaned(o.res) // it completed; nobody will collect the result
		}
		r.release(idx)
		return
	case opInFlight:
	default:
		return
	}
	o.state = opOrphaned
	o.orphaned = orphaned
	o.waker = executor.Waker{}
	if r.ex != nil && r.ex.Tracing() {
		e := r.ex.NewEvent(trace.OpCancelled, o.task)
		e.Op, e.UserData, e.FD = o.code.String(), opUserData(o.gen, idx), o.fd
		r.ex.Emit(e)
	}
	r.submitCancel(idx)
}

// submitCancel prepares the IORING_OP_ASYNC_CANCEL (5.5) of the op in slot
// idx, making room in the SQ if it must. If it cannot (the ring failed),
// the op completes on its own and the orphan handler runs then.
func (r *Reactor) submitCancel(idx uint32) {
	if r.err != nil {
		return
	}
	sqe := r.ring.NextSQE()
	if sqe == nil {
		if r.submit(0) != nil {
			return
		}
		if sqe = r.ring.NextSQE(); sqe == nil {
			return
		}
	}
	o := &r.ops[idx]
	sqe.PrepCancel(opUserData(o.gen, idx), 0)
	sqe.UserData = udCancel
	r.traceOwnSQE(sqe, o.task, o.fd)
}

// Poll implements executor.Driver: submit the turn's SQEs and reap, without
// waiting. A fatal error is kept in Err, which the executor reads next.
func (r *Reactor) Poll() {
	if r.closed || r.err != nil {
		return
	}
	if r.ring.Pending() > 0 || r.ring.CQReady() > 0 || r.ring.NeedsEnter() {
		_ = r.submit(0)
	}
}

// Park implements executor.Driver: submit, then wait until at least one
// CQE — an op's, or the wakeup's when Unpark is called. On a closed or
// failed reactor it returns at once, and Err says why.
func (r *Reactor) Park() string {
	if r.closed {
		r.fail(ErrClosed)
	}
	if r.err != nil {
		return "reactor failed: " + r.err.Error()
	}
	r.reserve(1) // room for the eventfd READ: submit (and reap) first if the SQ is full
	sqe, armed := r.ring.ArmWakeup()
	if sqe != nil {
		r.traceOwnSQE(sqe, 0, sqe.Fd)
	}
	before := r.ring.Stats().Reaped
	woke := r.ring.Stats().Wakeups
	var wait uint32
	if armed {
		wait = 1
	}
	if err := r.submit(wait); err != nil {
		return "enter failed: " + err.Error()
	}
	switch {
	case r.ring.Stats().Wakeups != woke:
		return "unparked by another goroutine (" + r.ring.Kind() + " wakeup)"
	case r.ring.Stats().Reaped == before:
		return "interrupted"
	}
	return "completion"
}

// Unpark implements executor.Driver. Safe from any goroutine.
func (r *Reactor) Unpark() { r.ring.Wakeup() }

// Close cancels every op still in flight, waits until the ring is done
// with every buffer, then closes the ring. Call it after the executor's
// Close (which drops the futures, asking for the cancels already).
func (r *Reactor) Close() error {
	if r.closed {
		return nil
	}
	r.closed = true
	for i := range r.ops {
		if o := &r.ops[i]; o.state == opInFlight || o.state == opOrphaned {
			// The cancel of an op already orphaned is asked again: cheap,
			// and its first cancel may have found the SQ full.
			o.state = opOrphaned
			o.waker = executor.Waker{}
			r.submitCancel(uint32(i))
		}
	}
	// Drain: wake the ring's own wakeup request too, so nothing of ours
	// is left in flight when the ring closes.
	r.ring.Wakeup()
	for r.err == nil && (r.inflight > 0 || r.ring.Pending() > 0 || wakeupArmed(r.ring)) {
		if err := r.submit(1); err != nil {
			break // r.err is set: fall through to the leak below
		}
	}
	if r.err != nil && r.err != ErrClosed {
		// The ring failed with ops in flight: the kernel may still write
		// their buffers (and the eventfd READ's page). Leave them pinned,
		// mapped and reachable (this reactor stays in live) rather than
		// hand the memory back under a pending write. A bounded leak on a
		// ring that is broken anyway.
		return fmt.Errorf("iouring: close: ring failed with %d ops in flight: %w", r.inflight, r.err)
	}
	for i := range r.ops {
		if r.ops[i].state != opFree {
			r.ops[i].pin.Unpin()
		}
	}
	unregister(r)
	r.closeFast() // the provided-buffer ring, unregistered while the ring is open
	err := r.ring.Close()
	r.closeFixed() // after the ring: its registration held the pool's pages
	return err
}

// wakeupArmed reports whether the ring's wakeup request is still in
// flight (only io_uring has one).
func wakeupArmed(q Rings) bool {
	u, ok := q.(interface{ armed() bool })
	return ok && u.armed()
}
