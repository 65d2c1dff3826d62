//go:build linux || darwin

package iouring

import (
	executor "asyncworkbook/phase1-executor"
	"golang.org/x/sys/unix"
)

// opFuture is the future behind every async operation: the life of an I/O
// operation in one small state machine.
//
//	first poll     take an SQE, prep it, pin its memory → Pending
//	               (the reactor submits it at the end of the turn)
//	CQE arrives    the reactor stores the result and fires our waker
//	next poll      collect the result, release the op → Ready
//	dropped early  the reactor submits ASYNC_CANCEL; the memory stays
//	               pinned until the op's own CQE arrives
type opFuture struct {
	r    *Reactor
	code Op
	// prep fills the SQE and pins or keeps, in o, what the kernel will
	// touch. It runs once, on the first poll.
	prep func(sqe *SQE, o *op)
	// orphaned, if set, handles a result nobody collected (the future was
	// dropped after the kernel had already done the work).
	orphaned func(res int32)
	// within, if set, bounds the op with a linked IORING_OP_LINK_TIMEOUT:
	// the kernel cancels the op (-ECANCELED) if it has not completed by
	// then. Only where the ring supports LINK_TIMEOUT.
	within *Timespec

	idx     uint32
	started bool
	done    bool
}

// Poll implements executor.Future.
func (f *opFuture) Poll(cx *executor.Context) executor.Poll[executor.Result[int32]] {
	if !f.started {
		if f.within != nil {
			// The op and its LINK_TIMEOUT must go to the kernel in the same
			// submission, one after the other: make room for both first.
			f.r.reserve(2)
		}
		sqe, idx, err := f.r.prepare(cx, f.code)
		if err != nil {
			f.done = true
			return executor.PollReady(executor.Result[int32]{Err: err})
		}
		f.idx, f.started = idx, true
		f.prep(sqe, &f.r.ops[idx])
		f.r.ops[idx].fd = sqe.Fd
		f.r.traceSQE(sqe, cx.TaskID())
		if f.within != nil {
			f.r.linkTimeout(sqe, f.within, cx.TaskID())
			// The kernel copies the timespec when this turn's enter
			// prepares the LINK_TIMEOUT; keep it reachable until the op's
			// CQE all the same.
			f.r.ops[idx].keep = [2]any{f.r.ops[idx].keep, f.within}
		}
		return executor.Pending[executor.Result[int32]]()
	}
	o := &f.r.ops[f.idx]
	if o.state != opDone {
		// Woken spuriously (a Join sibling's wake): keep waiting, with the
		// waker of whoever polls us now.
		o.waker = cx.WakerFor(holders[f.code])
		return executor.Pending[executor.Result[int32]]()
	}
	f.done = true
	if o.failed {
		// The ring failed: no CQE came and none will be reaped. The slot
		// and its pinned memory are never reused (see Reactor.fail).
		return executor.PollReady(executor.Result[int32]{Value: -int32(unix.EIO), Err: f.r.err})
	}
	res := o.res
	f.r.release(f.idx)
	if res < 0 {
		return executor.PollReady(executor.Result[int32]{Value: res, Err: unix.Errno(-res)})
	}
	return executor.PollReady(executor.Result[int32]{Value: res})
}

// Drop implements executor.Dropper: cancel the op if it is still in flight.
func (f *opFuture) Drop() {
	if f.started && !f.done {
		f.done = true
		f.r.cancel(f.idx, f.orphaned)
	}
}
