//go:build linux || darwin

package iouring

import (
	"errors"
	"time"

	executor "asyncworkbook/phase1-executor"
	"golang.org/x/sys/unix"
)

// Sleep returns a future that is ready after d, timed by the kernel with
// IORING_OP_TIMEOUT (5.4): no timer goroutine, no wake from outside — the
// CQE arrives like any other completion, in the same io_uring_enter the
// executor parks in.
func Sleep(r *Reactor, d time.Duration) executor.Future[executor.Result[struct{}]] {
	ts := &Timespec{Sec: int64(d / time.Second), Nsec: int64(d % time.Second)}
	op := &opFuture{r: r, code: OpTimeout, prep: func(sqe *SQE, o *op) {
		o.pin.Pin(ts) // copied by the kernel at prep; pinned to the CQE anyway
		sqe.PrepTimeout(ts, 0, 0)
	}}
	return &sleepFuture{op: op}
}

type sleepFuture struct{ op *opFuture }

func (s *sleepFuture) Poll(cx *executor.Context) executor.Poll[executor.Result[struct{}]] {
	r, ok := s.op.Poll(cx).Value()
	if !ok {
		return executor.Pending[executor.Result[struct{}]]()
	}
	// A TIMEOUT that expires completes with -ETIME: for a sleep, success.
	if errors.Is(r.Err, unix.ETIME) {
		r.Err = nil
	}
	return executor.PollReady(executor.Result[struct{}]{Err: r.Err})
}

func (s *sleepFuture) Drop() { s.op.Drop() }

// ErrTimeout is the error Timeout yields when time ran out first.
var ErrTimeout = errors.New("iouring: timed out")

// Timeout runs f with a deadline: it yields f's value if f finishes within
// d, and ErrTimeout otherwise — after dropping f, which cancels whatever
// I/O f had in flight. The deadline is a kernel TIMEOUT on the same ring.
func Timeout[T any](r *Reactor, f executor.Future[T], d time.Duration) executor.Future[executor.Result[T]] {
	return &timeout[T]{f: f, timer: Sleep(r, d)}
}

type timeout[T any] struct {
	f     executor.Future[T]
	timer executor.Future[executor.Result[struct{}]]
	done  bool
}

func (t *timeout[T]) Poll(cx *executor.Context) executor.Poll[executor.Result[T]] {
	if v, ok := t.f.Poll(cx).Value(); ok {
		t.done = true
		dropFuture(t.timer) // cancel the kernel timer
		return executor.PollReady(executor.Result[T]{Value: v})
	}
	if r, ok := t.timer.Poll(cx).Value(); ok {
		t.done = true
		dropFuture(t.f)
		if r.Err != nil {
			return executor.PollReady(executor.Result[T]{Err: r.Err})
		}
		return executor.PollReady(executor.Result[T]{Err: ErrTimeout})
	}
	return executor.Pending[executor.Result[T]]()
}

func (t *timeout[T]) Drop() {
	if !t.done {
		dropFuture(t.f)
		dropFuture(t.timer)
	}
}

func dropFuture(f any) {
	if d, ok := f.(executor.Dropper); ok {
		d.Drop()
	}
}
