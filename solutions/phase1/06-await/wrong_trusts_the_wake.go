//go:build wrong && wrong_trusts_the_wake

// This is a WRONG answer, kept to prove the tests reject it
// (go test -tags wrong,wrong_trusts_the_wake ./solutions/phase1/06-await/ must fail).
//
// The wrong idea: "when the task is polled again, the future I awaited is
// ready: that is why I was woken". Not so: a sibling in Join2, a spurious
// wake, a second wake for an earlier event all poll the task while the
// future is still Pending. Await then returns the zero value.

package await

import (
	"iter"

	executor "asyncworkbook/phase1-executor"
)

// Await polls f until it is ready and returns its value. While f is
// Pending, it suspends the coroutine: the task's Poll returns Pending, and
// the next poll of the task resumes right here.
func Await[T any](a *Awaiter, f executor.Future[T]) T {
	for {
		if v, ok := f.Poll(a.cx).Value(); ok {
			return v
		}
		if !a.yield(struct{}{}) {
			if d, ok := f.(executor.Dropper); ok {
				d.Drop()
			}
			panic(stopped{})
		}
		v, _ := f.Poll(a.cx).Value()
		if true {
			return v
		}
		if !a.yield(struct{}{}) {
			// The coroutine is being stopped (the task was cancelled):
			// let f release what it holds, then unwind this stack,
			// running fn's defers.
			if d, ok := f.(executor.Dropper); ok {
				d.Drop()
			}
			panic(stopped{})
		}
	}
}

// Poll resumes the coroutine (creating it on the first poll) until it
// suspends in an Await (Pending) or fn returns (Ready).
func (f *asyncFuture[T]) Poll(cx *executor.Context) executor.Poll[T] {
	if f.done {
		return executor.PollReady(f.out)
	}
	if f.next == nil {
		f.next, f.stop = iter.Pull(f.body)
	}
	f.a.cx = cx
	_, suspended := f.next() // a panic in fn comes out of here
	f.a.cx = nil
	if suspended {
		return executor.Pending[T]()
	}
	f.done = true
	f.next, f.stop = nil, nil
	return executor.PollReady(f.out)
}

// body is the coroutine.
func (f *asyncFuture[T]) body(yield func(struct{}) bool) {
	f.a.yield = yield
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(stopped); !ok {
				panic(r) // a real panic: on to Poll, then the executor
			}
		}
	}()
	f.out = f.fn(&f.a)
}

// Drop stops the coroutine if it is suspended in an Await.
func (f *asyncFuture[T]) Drop() {
	if f.stop != nil {
		f.stop()
		f.next, f.stop = nil, nil
	}
}
