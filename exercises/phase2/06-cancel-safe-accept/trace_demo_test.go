package cancelaccept

import (
	"slices"
	"testing"

	executor "asyncworkbook/phase1-executor"
	"asyncworkbook/phases/check"
	"asyncworkbook/phases/trace"
)

// traceKernel is the tests' fake kernel, with clients waiting to connect,
// telling its story the way a real ring would (check.FakeRing). When the
// executor parks it submits and completes every request in flight: an
// ACCEPT with the next descriptor — also a cancelled one, the client
// having connected before the cancel landed — and a CLOSE with 0.
// Descriptors are closed through the ring (IORING_OP_CLOSE, Linux 5.6),
// so the trace shows which ones were. Executor goroutine only.
type traceKernel struct {
	*fakeKernel // Result comes from the fake as it is
	ex          *executor.Executor
	ring        *check.FakeRing
	d           *check.Driver
	nextFD      int32
	closes      map[uint64]*traceClose // CLOSEs in flight, by user_data
	nextClose   uint64
}

// traceClose is a CLOSE request; w is zero when nobody waits for it.
type traceClose struct {
	w    executor.Waker
	done bool
}

func newTraceKernel(sink trace.Sink) *traceKernel {
	k := &traceKernel{fakeKernel: newFake(), nextFD: 8, closes: map[uint64]*traceClose{}, nextClose: 0x1000}
	k.d = check.NewDriver(func(int) { k.park() })
	k.ex = executor.New(executor.WithSink(sink), executor.WithDriver(k.d))
	k.ring = check.NewFakeRing(k.ex, 8)
	return k
}

func (k *traceKernel) Submit(req Request, w executor.Waker) uint64 {
	id := k.fakeKernel.Submit(req, w)
	k.ring.Prepare(w.TaskID(), "ACCEPT", req.Fd, id)
	return id
}

func (k *traceKernel) Cancel(id uint64, orphan func(int32)) {
	for _, op := range k.inFlight() {
		if op.id == id {
			k.ring.Cancel(id) // in flight: an ASYNC_CANCEL goes to the kernel
		}
	}
	k.fakeKernel.Cancel(id, orphan)
}

// startClose prepares a CLOSE of fd for task; w (zero: nobody) is woken
// by its CQE.
func (k *traceKernel) startClose(task uint64, fd int32, w executor.Waker) uint64 {
	k.nextClose++
	k.closes[k.nextClose] = &traceClose{w: w}
	k.ring.Prepare(task, "CLOSE", fd, k.nextClose)
	return k.nextClose
}

// CloseFD closes fd with a CLOSE nobody waits for, on behalf of the task
// whose ACCEPT produced it.
func (k *traceKernel) CloseFD(fd int32) {
	k.fakeKernel.CloseFD(fd)
	task := uint64(0)
	for _, op := range k.all {
		if op.completed && op.res == fd {
			task = op.waker.TaskID()
		}
	}
	k.startClose(task, fd, executor.Waker{})
}

// closeFD returns a future that closes fd (as the caller who owns it)
// and waits for the CLOSE's CQE.
func (k *traceKernel) closeFD(fd int32) executor.Future[struct{}] {
	id := uint64(0)
	return executor.PollFn(func(cx *executor.Context) executor.Poll[struct{}] {
		if id == 0 {
			k.fakeKernel.CloseFD(fd)
			id = k.startClose(cx.TaskID(), fd, cx.WakerFor("io_uring CLOSE"))
			return executor.Pending[struct{}]()
		}
		if c := k.closes[id]; c != nil && c.done {
			delete(k.closes, id)
			return executor.PollReady(struct{}{})
		}
		return executor.Pending[struct{}]()
	})
}

func (k *traceKernel) park() {
	k.ring.Submit(true)
	cancelled := map[uint64]bool{}
	ops := k.inFlight()
	slices.Reverse(ops) // the newest ACCEPT completes first
	for _, op := range ops {
		cancelled[op.id] = op.cancelled
		k.ring.Post(op.id, k.nextFD) // a client was waiting: completion beats the cancel
		k.nextFD++
	}
	var closing []uint64
	for id, c := range k.closes {
		if !c.done {
			closing = append(closing, id)
		}
	}
	slices.Sort(closing) // in order of submission
	for _, id := range closing {
		k.ring.Post(id, 0)
	}
	orphan := func(id uint64) bool {
		c := k.closes[id]
		return cancelled[id] || (c != nil && c.w.IsZero())
	}
	k.ring.Reap(orphan, func(id uint64, res int32) {
		if c := k.closes[id]; c != nil {
			c.done = true
			if c.w.IsZero() {
				delete(k.closes, id) // nobody waits for it
			} else {
				k.ex.WakeFromDriver(c.w, trace.SourceCompletion)
			}
			return
		}
		k.complete(id, res) // wakes the task, or calls the orphan function
	})
	k.d.Unpark()
}

// TestTraceDemo is "run mine" (m in the workbook's exercise view): main
// accepts a connection with your Accept and closes it; then an acceptor
// task is dropped with its ACCEPT in flight — and a client connects
// anyway, so the cancelled ACCEPT's CQE carries a descriptor: your
// orphan function must CLOSE it; then a late acceptor is dropped after
// its CQE came but before it collected it: your Drop must CLOSE that
// one; main accepts once more. The kernel
// is the tests' fake; the ring events it traces show what your future
// asked of it (look for the CLOSE of each descriptor). Skipped unless the
// workbook asks (it sets the trace file).
func TestTraceDemo(t *testing.T) {
	defer check.Guard(t, exercise)
	check.TraceDemo(t, func(sink trace.Sink) {
		k := newTraceKernel(sink)
		defer k.ex.Close()
		_, err := executor.BlockOn(k.ex, executor.Async(func(a *executor.Awaiter) error {
			first := executor.Await(a, Accept(k, listenFD))
			if first.Err != nil {
				return first.Err
			}
			executor.Await(a, k.closeFD(first.Value))
			h := executor.Spawn(k.ex, Accept(k, listenFD), executor.WithName("dropped acceptor"))
			// Let the acceptor run: it submits its ACCEPT.
			for i := 0; i < 3 && len(k.inFlight()) == 0; i++ {
				executor.Await(a, executor.YieldNow())
			}
			h.Cancel()
			executor.Await(a, executor.Future[executor.Result[executor.Result[int32]]](h))
			// Another acceptor, dropped after its CQE came but before it
			// ran again: its descriptor is already accepted.
			late := executor.Spawn(k.ex, Accept(k, listenFD), executor.WithName("late acceptor"))
			for i := 0; i < 3 && len(k.inFlight()) < 2; i++ {
				executor.Await(a, executor.YieldNow())
			}
			last := executor.Await(a, Accept(k, listenFD)) // its CQE comes first: main runs before the late acceptor
			late.Cancel()
			executor.Await(a, executor.Future[executor.Result[executor.Result[int32]]](late))
			if last.Err != nil {
				return last.Err
			}
			executor.Await(a, k.closeFD(last.Value))
			return nil
		}), executor.WithName("main"))
		check.NoError(t, err, "the demo's main task failed")
	})
}
