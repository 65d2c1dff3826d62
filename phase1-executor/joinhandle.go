package executor

import (
	"errors"
	"fmt"
	"runtime/debug"
	"strconv"
	"sync/atomic"
)

// ErrCancelled is the error a JoinHandle yields for a task that was
// cancelled before it completed.
var ErrCancelled = errors.New("executor: task cancelled")

// PanicError is the error a JoinHandle yields for a task whose Poll
// panicked. The executor recovers the panic, keeps running the other
// tasks, and hands the panic here instead of crashing the program.
type PanicError struct {
	Task  uint64 // the task that panicked
	Value any    // the value passed to panic
	Stack []byte // the stack of the goroutine that panicked, at the panic
}

// Error describes the panic.
func (e *PanicError) Error() string {
	return fmt.Sprintf("executor: task T%d panicked: %v", e.Task, e.Value)
}

// Unwrap returns the panic value when it is an error, so errors.Is and
// errors.As see through the panic.
func (e *PanicError) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}

// Result is what a JoinHandle yields: the task's output, or why there is
// none (ErrCancelled, or a *PanicError).
type Result[T any] struct {
	Value T
	Err   error
}

// Release releases the value when it is a Releaser and there was no
// error, so a Result holding an opened file is released like the file.
func (r Result[T]) Release() {
	if r.Err == nil {
		release(r.Value)
	}
}

// Releaser is implemented by outputs that own a resource — an opened file,
// an accepted or connected socket. Completion wins over a late cancel, so
// a task can finish with such an output after its handle was cancelled;
// when nobody will take it (the handle was dropped or detached, a Join
// was dropped after one child finished) the runtime calls Release instead
// of leaking it. Release must not block and may run on any goroutine.
type Releaser interface {
	Release()
}

// release calls v.Release if v is a Releaser.
func release(v any) {
	if r, ok := v.(Releaser); ok {
		r.Release()
	}
}

// task is the whole task: the untyped Task every scheduler sees, and the
// typed future and output. One allocation per spawn.
//
// # Handing the outcome to the join handle
//
// The handle may be polled from another goroutine (a task on another
// executor), so the hand-off is a small protocol on two atomics instead of
// a lock:
//
//	executor (finish)                  handle (Poll)
//	out = outcome                      if published: return out
//	published.Store(true)              awaiter.Store(my task)
//	w := awaiter.Swap(nil); wake w     if published: return out
//	                                   return Pending
//
// out is written before published is stored and read only after published
// is loaded true: that store/load pair is the happens-before edge. The
// awaiter is stored before the handle's second look at published, and
// swapped after the executor's store, so (Go's atomics being sequentially
// consistent) either the handle sees published, or the executor sees the
// awaiter and wakes it. Both may happen; a spurious wake costs one poll.
type task[T any] struct {
	Task

	fut Future[T] // executor goroutine only; nil once finished
	out Result[T] // written once by the executor, before published

	published atomic.Bool          // out is final
	awaiter   atomic.Pointer[Task] // the task awaiting the handle, if any
}

// releaseUnclaimed releases the output if it was published without error
// and nobody holds the handle any more. Two sides call it: the executor
// (after publishing, finding no handle) and the handle's Drop or Detach
// (after clearing the handle bit, finding the output published). Each
// makes its own write first, then looks at the other's; sequentially
// consistent atomics mean at least one sees both, and the CAS that sets
// stateReleased (a bit of the state word, so the task stays in its size
// class) makes it at most one.
func (t *task[T]) releaseUnclaimed() {
	if !t.published.Load() || t.out.Err != nil {
		return
	}
	for {
		s := t.state.Load()
		if s&(stateHandle|stateReleased) != 0 {
			return
		}
		if t.state.CompareAndSwap(s, s|stateReleased) {
			release(t.out.Value)
			return
		}
	}
}

func (t *task[T]) poll(cx *Context) bool {
	p := t.fut.Poll(cx)
	if p.ready {
		t.out.Value = p.value
	}
	return p.ready
}

func (t *task[T]) finish(err error) {
	fut := t.fut
	t.fut = nil
	if err != nil {
		if fut != nil {
			t.dropQuietly(fut)
		}
		var zero T
		t.out = Result[T]{Value: zero, Err: err}
	}
	t.published.Store(true)
	if err == nil && t.state.Load()&stateHandle == 0 {
		t.releaseUnclaimed() // detached or dropped: nobody will take it
	}
	if w := t.awaiter.Swap(nil); w != nil {
		t.ex.wakeFromTask(w, t.id)
	}
}

// dropQuietly drops f, the future of a task being torn down. A panic
// inside Drop cannot reach the handle, which already has its outcome: it
// is surfaced in the executor's Stats and trace instead.
func (t *task[T]) dropQuietly(f any) {
	defer func() {
		if r := recover(); r != nil {
			pe, ok := r.(*PanicError)
			if !ok {
				pe = &PanicError{Value: r, Stack: debug.Stack()}
			}
			t.ex.unwindPanic(t.id, pe)
		}
	}()
	drop(f)
}

// JoinHandle is a spawned task's handle: a future yielding the task's
// Result, and the way to cancel or detach it.
//
// A JoinHandle may be polled by one task at a time, on any executor;
// Cancel and Detach are safe from any goroutine. The zero JoinHandle is
// not usable.
type JoinHandle[T any] struct {
	t *task[T]
}

// Poll returns the task's Result once it has finished, and otherwise
// registers cx's waker to be woken when it does.
func (h JoinHandle[T]) Poll(cx *Context) Poll[Result[T]] {
	t := h.t
	if t.published.Load() {
		return PollReady(t.out)
	}
	// Register on every pending poll: the awaiting task may have changed
	// (a handle moved into a combinator), and the trace must see the
	// hand-off each time.
	t.awaiter.Store(cx.WakerFor(holderFor(cx.ex, "join handle T", t.id)).t)
	if t.published.Load() {
		return PollReady(t.out)
	}
	return Pending[Result[T]]()
}

// Cancel cancels the task. A task cancelled before its first poll is never
// polled; one cancelled while it waits is dropped (its coroutine, if any,
// stopped) the next time its executor looks at it; the handle then yields
// ErrCancelled.
//
// Completion wins: Cancel returns false when it came too late — the task
// had completed and the handle holds its output. It returns true when the
// task had not completed: it will not be polled again, except that a poll
// running at this very moment (on the executor's goroutine, while Cancel
// runs on another) may still return Ready, and then the output is kept
// and the handle yields it, not ErrCancelled. Result says which.
func (h JoinHandle[T]) Cancel() bool { return h.t.cancel() }

// Detach lets the task run on without anyone waiting for it. A detached
// task that panics is counted in the executor's Stats instead of being
// reported to a handle; its output, if it owns a resource (Releaser), is
// released when it completes.
func (h JoinHandle[T]) Detach() {
	for {
		s := h.t.state.Load()
		if h.t.state.CompareAndSwap(s, s&^stateHandle) {
			break
		}
	}
	h.t.releaseUnclaimed()
}

// Drop cancels the task and gives up the handle: a handle abandoned by a
// combinator (a Select loser) takes its task down with it, and an output
// that nobody will now take is released (Releaser).
func (h JoinHandle[T]) Drop() {
	h.t.cancel()
	h.Detach()
}

// ID returns the task's id.
func (h JoinHandle[T]) ID() uint64 { return h.t.id }

// Done reports whether the task has finished and the handle holds its
// Result. Safe from any goroutine.
func (h JoinHandle[T]) Done() bool { return h.t.published.Load() }

// Result returns the task's Result and true once the task has finished.
func (h JoinHandle[T]) Result() (Result[T], bool) {
	if !h.t.published.Load() {
		return Result[T]{}, false
	}
	return h.t.out, true
}

var _ Future[Result[int]] = JoinHandle[int]{}

// holderFor is the trace name of a waker's holder built from a prefix and
// a task id, computed only when someone is tracing.
func holderFor(ex *Executor, prefix string, id uint64) string {
	if ex.sink == nil {
		return ""
	}
	return prefix + strconv.FormatUint(id, 10)
}
