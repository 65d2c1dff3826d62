package check

import (
	executor "asyncworkbook/phase1-executor"
)

// Spurious wraps f so that every poll of the wrapper polls f 1+extra
// times in a row with the same Context, as long as f stays Pending: the
// extra polls are spurious (nothing f waits for happened), the way a
// sibling in Join2 wakes the task that owns both. A future must answer a
// spurious poll with Pending and change nothing: not submit again, not
// free its slot, not register a second interest.
func Spurious[T any](f executor.Future[T], extra int) executor.Future[T] {
	return executor.PollFn(func(cx *executor.Context) executor.Poll[T] {
		p := f.Poll(cx)
		for i := 0; i < extra && !p.IsReady(); i++ {
			p = f.Poll(cx)
		}
		return p
	})
}

// Jostle returns a future that wakes its own task n times, one wake per
// poll, then is ready. Joined with a future under test (Join2), it makes
// the executor poll the task — and the future under test — n times with
// nothing for that future to see: spurious polls from a sibling.
func Jostle(n int) executor.Future[int] {
	woke := 0
	return executor.PollFn(func(cx *executor.Context) executor.Poll[int] {
		if woke >= n {
			return executor.PollReady(woke)
		}
		woke++
		cx.Wake(cx.WakerFor("jostle (a sibling waking the task)"))
		return executor.Pending[int]()
	})
}

// Handoff moves a future from one task to another between two polls.
// First is polled by the first task: it polls the future once (or until
// polls ran out) and, if it is still Pending, is Ready itself, handing
// the future over; Second, awaited by another task, polls the future to
// the end. A future that keeps the waker of its first poll then wakes a
// task that is gone (and the second task waits forever): it must
// remember the waker of every poll, the newest one.
type Handoff[T any] struct {
	f     executor.Future[T]
	polls int
	done  bool
	out   T
}

// NewHandoff prepares to poll f polls times (at least 1) in the first
// task before moving it.
func NewHandoff[T any](f executor.Future[T], polls int) *Handoff[T] {
	return &Handoff[T]{f: f, polls: max(polls, 1)}
}

// First is the future for the first task: Ready(true) if f finished
// there, Ready(false) when f was moved while Pending.
func (h *Handoff[T]) First() executor.Future[bool] {
	n := 0
	return executor.PollFn(func(cx *executor.Context) executor.Poll[bool] {
		p := h.f.Poll(cx)
		n++
		if v, ok := p.Value(); ok {
			h.done, h.out = true, v
			return executor.PollReady(true)
		}
		if n >= h.polls {
			return executor.PollReady(false) // moved, still pending
		}
		return executor.Pending[bool]()
	})
}

// Second is the future for the second task: it polls f until Ready.
// Await it only after First is Ready.
func (h *Handoff[T]) Second() executor.Future[T] {
	return executor.PollFn(func(cx *executor.Context) executor.Poll[T] {
		if h.done {
			return executor.PollReady(h.out)
		}
		p := h.f.Poll(cx)
		if v, ok := p.Value(); ok {
			h.done, h.out = true, v
		}
		return p
	})
}
