package executor

// Poll is what one call of Future.Poll returns: either Ready with a value,
// or Pending. Pending is a promise: the future has handed the waker in its
// Context to something that will fire it when progress is possible.
//
// The zero value is Pending.
type Poll[T any] struct {
	value T
	ready bool
}

// PollReady returns a Ready result carrying v.
func PollReady[T any](v T) Poll[T] { return Poll[T]{value: v, ready: true} }

// Pending returns a Pending result.
func Pending[T any]() Poll[T] { return Poll[T]{} }

// IsReady reports whether the poll finished the future.
func (p Poll[T]) IsReady() bool { return p.ready }

// Value returns the value and whether the poll was Ready. A Pending poll
// returns the zero T and false.
func (p Poll[T]) Value() (T, bool) { return p.value, p.ready }

// Future is a computation that makes progress only when polled.
//
// Poll either finishes, returning PollReady, or cannot go on yet and
// returns Pending — and before it does, it hands cx's waker to whoever
// will know when it can go on (a timer, a channel, an I/O completion).
// A future that returns Pending without doing so is never polled again:
// a lost wakeup.
//
// Poll is called only on the executor's goroutine and never after it has
// returned Ready. It must not block: blocking stops every task on the
// executor.
type Future[T any] interface {
	Poll(cx *Context) Poll[T]
}

// Dropper is implemented by futures that hold something to release when
// they are abandoned before finishing: a coroutine to stop, a timer to
// stop, child futures to drop in turn. Go has no destructors, so the
// executor calls Drop itself, on its goroutine, when it cancels a task,
// and combinators call it on the children they abandon (Select's losers).
// Drop is never called on a future that returned Ready.
type Dropper interface {
	Drop()
}

// drop calls f.Drop if f implements Dropper.
func drop(f any) {
	if d, ok := f.(Dropper); ok {
		d.Drop()
	}
}

// FutureFunc adapts a poll function to a Future.
type FutureFunc[T any] func(cx *Context) Poll[T]

// Poll calls f(cx).
func (f FutureFunc[T]) Poll(cx *Context) Poll[T] { return f(cx) }
