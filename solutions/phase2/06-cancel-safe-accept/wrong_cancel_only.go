//go:build wrong && wrong_cancel_only

// This is a WRONG answer, kept to prove the tests reject it
// (go test -tags wrong,wrong_cancel_only ./solutions/phase2/06-cancel-safe-accept/ must
// fail).
//
// The wrong idea: "Drop cancels the op, and the orphan handler closes
// whatever the cancelled op still produced — that covers every case". It
// covers the op in flight. But an accept whose completion has already
// arrived — the client connected, the reactor reaped the CQE and woke the
// task, and the task was cancelled before it could run again — is no
// longer in flight: there is nothing to cancel, and the Submitter forgets
// the result, descriptor and all. Nobody ever closes that connection: the
// server leaks a descriptor, and the client waits on a socket nobody
// reads. Poll and the in-flight case are right; the test that drops the
// future between completion and collection counts the leaked descriptor.

// Package cancelaccept is exercise phase2/06-cancel-safe-accept.
package cancelaccept

import (
	"syscall"

	executor "asyncworkbook/phase1-executor"
)

// Accept returns a future accepting one connection on lfd.
func Accept(s Submitter, lfd int32) executor.Future[executor.Result[int32]] {
	return &acceptFuture{s: s, lfd: lfd}
}

type acceptFuture struct {
	s       Submitter
	lfd     int32
	id      uint64
	started bool
	over    bool
}

func (f *acceptFuture) Poll(cx *executor.Context) executor.Poll[executor.Result[int32]] {
	if !f.started {
		f.id = f.s.Submit(Request{Op: OpAccept, Fd: f.lfd}, cx.WakerFor("accept"))
		f.started = true
		return executor.Pending[executor.Result[int32]]()
	}
	res, done := f.s.Result(f.id, cx.WakerFor("accept"))
	if !done {
		return executor.Pending[executor.Result[int32]]()
	}
	f.over = true
	if res < 0 {
		return executor.PollReady(executor.Result[int32]{Value: -1, Err: syscall.Errno(-res)})
	}
	return executor.PollReady(executor.Result[int32]{Value: res})
}

// Drop cancels, trusting the orphan handler with every case.
func (f *acceptFuture) Drop() {
	if !f.started || f.over {
		return
	}
	f.over = true
	s := f.s
	s.Cancel(f.id, func(res int32) {
		if res >= 0 {
			s.CloseFD(res)
		}
	})
}
