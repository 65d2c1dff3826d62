package cancelaccept

import (
	"slices"
	"testing"

	executor "asyncworkbook/phase1-executor"
	"asyncworkbook/phases/check"
	"asyncworkbook/phases/trace"
)

// traceKernel is a Submitter for "run mine": a fake kernel with clients
// waiting to connect, which tells the story the way a real ring would
// (check.FakeRing). When the executor parks it submits and completes
// every request in flight: an ACCEPT with the next descriptor — also a
// cancelled one, the client having connected before the cancel landed —
// and a CLOSE with 0. Descriptors are closed through the ring
// (IORING_OP_CLOSE, Linux 5.6), so the trace shows which ones were.
// Executor goroutine only.
type traceKernel struct {
	ex     *executor.Executor
	ring   *check.FakeRing
	d      *check.Driver
	next   uint64
	nextFD int32
	ops    map[uint64]*traceOp
	owner  map[int32]uint64 // descriptor → the task that got it
	orphan uint64           // while an orphan function runs: its task
}

type traceOp struct {
	req       Request
	close     bool // a CLOSE, not an ACCEPT
	task      uint64
	w         executor.Waker // zero for a CLOSE nobody waits for
	done      bool
	res       int32
	cancelled bool
	orphan    func(int32)
}

func newTraceKernel(sink trace.Sink) *traceKernel {
	k := &traceKernel{next: 0x100, nextFD: 8, ops: map[uint64]*traceOp{}, owner: map[int32]uint64{}}
	k.d = check.NewDriver(func(int) { k.park() })
	k.ex = executor.New(executor.WithSink(sink), executor.WithDriver(k.d))
	k.ring = check.NewFakeRing(k.ex, 8)
	return k
}

func (k *traceKernel) start(op *traceOp, name string, fd int32) uint64 {
	k.next++
	k.ops[k.next] = op
	k.ring.Prepare(op.task, name, fd, k.next)
	return k.next
}

func (k *traceKernel) Submit(req Request, w executor.Waker) uint64 {
	return k.start(&traceOp{req: req, task: w.TaskID(), w: w}, "ACCEPT", req.Fd)
}

func (k *traceKernel) Result(id uint64) (int32, bool) {
	op := k.ops[id]
	if op == nil || !op.done {
		return 0, false
	}
	delete(k.ops, id)
	if op.res >= 0 {
		k.owner[op.res] = op.task
	}
	return op.res, true
}

func (k *traceKernel) Cancel(id uint64, orphan func(int32)) {
	op := k.ops[id]
	if op == nil {
		return
	}
	if op.done {
		delete(k.ops, id) // nothing to cancel: forget the result
		return
	}
	op.cancelled, op.orphan = true, orphan
	k.ring.Cancel(id)
}

// CloseFD closes fd with a CLOSE nobody waits for, on behalf of the task
// that owns it (or whose orphan function is running).
func (k *traceKernel) CloseFD(fd int32) {
	task := k.owner[fd]
	if k.orphan != 0 {
		task = k.orphan
	}
	k.start(&traceOp{close: true, task: task}, "CLOSE", fd)
}

// closeFD returns a future that closes fd and waits for the CLOSE's CQE.
func (k *traceKernel) closeFD(fd int32) executor.Future[int32] {
	id := uint64(0)
	return executor.PollFn(func(cx *executor.Context) executor.Poll[int32] {
		if id == 0 {
			id = k.start(&traceOp{close: true, task: cx.TaskID(), w: cx.WakerFor("io_uring CLOSE")}, "CLOSE", fd)
			return executor.Pending[int32]()
		}
		if res, done := k.Result(id); done {
			return executor.PollReady(res)
		}
		return executor.Pending[int32]()
	})
}

func (k *traceKernel) park() {
	k.ring.Submit(true)
	ids := k.ring.InFlight()
	slices.Sort(ids)
	for _, id := range ids {
		op := k.ops[id]
		res := int32(0)
		if !op.close {
			res = k.nextFD // a client was waiting: completion beats the cancel
			k.nextFD++
		}
		k.ring.Post(id, res)
	}
	k.ring.Reap(func(id uint64) bool { op := k.ops[id]; return op.cancelled || op.w.IsZero() }, func(id uint64, res int32) {
		op := k.ops[id]
		op.done, op.res = true, res
		switch {
		case op.cancelled:
			delete(k.ops, id)
			if op.orphan != nil {
				k.orphan = op.task
				op.orphan(res) // nobody will take this descriptor
				k.orphan = 0
			}
		case op.w.IsZero():
			delete(k.ops, id) // a CLOSE nobody waits for
		default:
			k.ex.WakeFromDriver(op.w, trace.SourceCompletion)
		}
	})
	k.d.Unpark()
}

// TestTraceDemo is "run mine" (m in the workbook's exercise view): main
// accepts a connection with your Accept and closes it; then an acceptor
// task is dropped with its ACCEPT in flight — and a client connects
// anyway, so the cancelled ACCEPT's CQE carries a descriptor: your
// orphan function must CLOSE it; then main accepts once more. The kernel
// is a fake; the ring events it traces show what your future asked of it
// (look for the CLOSE of each descriptor). Skipped unless the workbook
// asks (it sets the trace file).
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
			for i := 0; i < 3 && len(k.ring.InFlight()) == 0; i++ {
				executor.Await(a, executor.YieldNow())
			}
			h.Cancel()
			executor.Await(a, executor.Future[executor.Result[executor.Result[int32]]](h))
			last := executor.Await(a, Accept(k, listenFD))
			if last.Err != nil {
				return last.Err
			}
			executor.Await(a, k.closeFD(last.Value))
			return nil
		}), executor.WithName("main"))
		check.NoError(t, err, "the demo's main task failed")
	})
}
