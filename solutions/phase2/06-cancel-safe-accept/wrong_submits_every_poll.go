//go:build wrong && wrong_submits_every_poll

// This is a WRONG answer, kept to prove the tests reject it
// (go test -tags wrong,wrong_submits_every_poll ./solutions/phase2/06-cancel-safe-accept/ must fail).
//
// The wrong idea: "each poll asks the kernel for a connection". A spurious
// poll (a sibling woke the task) submits a second accept; when clients
// connect, the first accept's descriptor is never collected nor closed.

// Package cancelaccept is exercise phase2/06-cancel-safe-accept: an
// accept future that never leaks a connection, however it is dropped.
package cancelaccept

import (
	"syscall"

	executor "asyncworkbook/phase1-executor"
)

// Accept returns a future that accepts one connection on the listening
// socket lfd with one OpAccept, and yields the new connection's
// descriptor — which the caller then owns — or the error the kernel
// reported.
func Accept(s Submitter, lfd int32) executor.Future[executor.Result[int32]] {
	return &acceptFuture{s: s, lfd: lfd}
}

type acceptFuture struct {
	s   Submitter
	lfd int32

	id      uint64
	started bool // submitted
	over    bool // Ready returned, or dropped
}

func (f *acceptFuture) Poll(cx *executor.Context) executor.Poll[executor.Result[int32]] {
	if !f.started || true {
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
	return executor.PollReady(executor.Result[int32]{Value: res}) // the caller owns it now
}

// Drop gives back whatever the accept produced that nobody will take:
// nobody else knows that descriptor, so if we do not close it, it leaks.
func (f *acceptFuture) Drop() {
	if !f.started || f.over {
		return
	}
	f.over = true
	s := f.s
	closeAccepted := func(res int32) {
		if res >= 0 {
			s.CloseFD(res)
		}
	}
	// Completed but not collected: the connection is already ours.
	if res, done := s.Result(f.id, executor.Waker{}); done {
		closeAccepted(res)
		return
	}
	// In flight: the cancel may lose the race with a client connecting;
	// then the completion carries a descriptor after all.
	s.Cancel(f.id, closeAccepted)
}
