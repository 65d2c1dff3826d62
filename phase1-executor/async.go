package executor

import (
	"iter"
	"runtime/debug"
)

// Coroutine-style tasks.
//
// A hand-written future is a state machine: every local variable that must
// survive a Pending becomes a field, every await point a state. Rust's
// compiler writes that machine for you; Go's does not. But Go has
// coroutines: iter.Pull runs a function on its own stack and switches to it
// and back without the scheduler, about 80 ns a round trip here.
//
// Async turns a plain function into a future. Each Poll resumes the
// function on its stack; inside, Await polls a future and, while it is
// Pending, yields back to Poll, which returns Pending to the executor.
// When the waker fires, the executor polls the task again, Poll resumes
// the coroutine, and Await polls its future once more. Locals live on the
// coroutine's stack, which is what makes this "stackful": each task costs
// a whole goroutine stack (a few KiB) where a state machine costs only its
// fields.
//
// The coroutine is created on the first poll and resumed only by Poll, so
// it only ever runs while the executor's goroutine waits for it: it never
// runs in parallel with anything on the executor. Cancelling the task
// stops the coroutine: the Await it is parked in panics with a private
// value that unwinds the function (running its defers) and is swallowed at
// its top.
//
// # Cleanup under cancellation
//
// While a cancelled coroutine unwinds, nothing can be awaited: the task
// will not be polled again. An Await reached then (in a defer, such as
// defer func() { Await(a, f.Close()) }()) does not wait: it drops its
// future and lets the unwinding go on. So a cleanup future must do its
// work when dropped unstarted — File.Close and TCPStream.Close do, with a
// plain close(2) — or the cleanup must be a plain call. Any other panic
// raised while unwinding cannot reach the handle, which already says
// ErrCancelled: it is counted in Stats.UnwindPanics and traced as
// Panicked, never lost.

// Awaiter is handed to an Async function; pass it to Await. It is valid
// only inside that function, on the coroutine the executor resumes.
type Awaiter struct {
	cx        *Context                // the Context of the poll that resumed us
	unwinding bool                    // the task was cancelled: the stack is unwinding
	yield     func(struct{}) bool     // iter.Pull's yield: back to Poll
	stop      func()                  // ends the coroutine from Poll's side
	next      func() (struct{}, bool) // resumes the coroutine from Poll's side
}

// Context returns the Context of the poll currently running the
// coroutine, for futures that need the waker directly.
func (a *Awaiter) Context() *Context { return a.cx }

// stopped is the panic value that unwinds a cancelled coroutine.
type stopped struct{}

// Await polls f until it is ready and returns its value, yielding to the
// executor each time f is Pending. Call it only from inside the function
// given to Async, with that function's Awaiter.
func Await[T any](a *Awaiter, f Future[T]) T {
	if a.cx == nil {
		if a.unwinding {
			// A defer of a cancelled coroutine: nobody will poll f. Drop
			// it (a Close future closes when dropped) and unwind on.
			drop(f)
			panic(stopped{})
		}
		panic("executor: Await called outside the Async function that owns this Awaiter")
	}
	for {
		if v, ok := f.Poll(a.cx).Value(); ok {
			return v
		}
		a.cx = nil // not ours between polls
		if !a.yield(struct{}{}) {
			// The task was cancelled: give f a chance to let go of what it
			// holds, then unwind this stack.
			a.unwinding = true
			drop(f)
			panic(stopped{})
		}
	}
}

// Async returns a future that runs fn as a coroutine. See the comment at
// the top of this file.
func Async[T any](fn func(a *Awaiter) T) Future[T] {
	return &asyncFuture[T]{fn: fn}
}

type asyncFuture[T any] struct {
	ex   *Executor // who polled us, to report a panic raised while unwinding
	task uint64
	fn   func(a *Awaiter) T
	a    Awaiter
	out  T
	done bool
	perr *PanicError // a panic inside fn, with fn's own stack
}

func (f *asyncFuture[T]) Poll(cx *Context) Poll[T] {
	if f.done {
		panic("executor: Async future polled after it returned Ready")
	}
	if f.a.next == nil {
		f.a.next, f.a.stop = iter.Pull(f.body)
		f.ex, f.task = cx.ex, cx.task.id
	}
	f.a.cx = cx
	_, more := f.a.next()
	f.a.cx = nil
	if f.perr != nil {
		// Re-raise on the executor's goroutine, keeping the coroutine's
		// stack: the executor turns this into the JoinHandle's error.
		perr := f.perr
		f.perr = nil
		f.done = true
		panic(perr)
	}
	if more {
		return Pending[T]()
	}
	f.done = true
	f.a.next, f.a.stop = nil, nil
	return PollReady(f.out)
}

// body is the coroutine: it runs fn and records how it ended.
func (f *asyncFuture[T]) body(yield func(struct{}) bool) {
	f.a.yield = yield
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(stopped); ok {
				return // cancelled: unwound on purpose
			}
			f.perr = &PanicError{Value: r, Stack: debug.Stack()}
		}
	}()
	f.out = f.fn(&f.a)
}

// Drop stops the coroutine if it is suspended in an Await. A panic its
// defers raised while unwinding is reported to the executor (Stats,
// trace): the handle already yields ErrCancelled.
func (f *asyncFuture[T]) Drop() {
	if f.a.stop != nil {
		f.a.stop()
		f.a.next, f.a.stop = nil, nil
		if f.perr != nil {
			perr := f.perr
			f.perr = nil
			f.ex.unwindPanic(f.task, perr)
		}
	}
}
