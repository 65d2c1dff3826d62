package executor

// Combinators build futures out of futures. Each is a small hand-written
// state machine — exactly what an async function compiles to — and each
// passes its own Context down to the futures it polls, so every child
// registers the same task's waker.

// Ready returns a future that is ready at once with v.
func Ready[T any](v T) Future[T] { return readyFuture[T]{v} }

type readyFuture[T any] struct{ v T }

func (r readyFuture[T]) Poll(*Context) Poll[T] { return PollReady(r.v) }

// PollFn returns a future whose Poll is f: the quickest way to write a
// small hand-written future.
func PollFn[T any](f func(cx *Context) Poll[T]) Future[T] { return FutureFunc[T](f) }

// YieldNow returns a future that is Pending once and Ready the next time:
// the task goes to the back of the run queue, letting the others run.
func YieldNow() Future[struct{}] { return &yieldNow{} }

type yieldNow struct{ yielded bool }

func (y *yieldNow) Poll(cx *Context) Poll[struct{}] {
	if y.yielded {
		return PollReady(struct{}{})
	}
	y.yielded = true
	cx.Wake(cx.WakerFor("yield (itself)"))
	return Pending[struct{}]()
}

// Join returns a future that polls every future in fs until all are ready,
// and yields their outputs in the order of fs — the seed's Promise.all.
//
// Each poll of Join polls only the children not yet ready, with the same
// Context: one waker, the joining task's, is handed to all of them, so any
// child's wake re-polls the whole Join. Dropping Join drops the children
// that have not finished.
func Join[T any](fs ...Future[T]) Future[[]T] {
	return &join[T]{fs: fs, out: make([]T, len(fs)), left: len(fs)}
}

type join[T any] struct {
	fs   []Future[T] // nil once that child is ready
	out  []T
	left int
}

func (j *join[T]) Poll(cx *Context) Poll[[]T] {
	for i, f := range j.fs {
		if f == nil {
			continue
		}
		if v, ok := f.Poll(cx).Value(); ok {
			j.out[i] = v
			j.fs[i] = nil
			j.left--
		}
	}
	if j.left > 0 {
		return Pending[[]T]()
	}
	return PollReady(j.out)
}

// Drop drops the children still running and releases the outputs of
// those that finished (Releaser): nobody will take them now.
func (j *join[T]) Drop() {
	for i, f := range j.fs {
		if f != nil {
			drop(f)
			j.fs[i] = nil
		} else if j.left > 0 {
			release(j.out[i])
		}
	}
	j.left = 0
}

// Pair holds the outputs of Join2.
type Pair[A, B any] struct {
	A A
	B B
}

// Join2 joins two futures of different types: "write to a file and to a
// socket, and wait for both".
func Join2[A, B any](a Future[A], b Future[B]) Future[Pair[A, B]] {
	return &join2[A, B]{a: a, b: b}
}

type join2[A, B any] struct {
	a      Future[A]
	b      Future[B]
	out    Pair[A, B]
	aReady bool
	bReady bool
}

func (j *join2[A, B]) Poll(cx *Context) Poll[Pair[A, B]] {
	if !j.aReady {
		j.out.A, j.aReady = j.a.Poll(cx).Value()
	}
	if !j.bReady {
		j.out.B, j.bReady = j.b.Poll(cx).Value()
	}
	if j.aReady && j.bReady {
		return PollReady(j.out)
	}
	return Pending[Pair[A, B]]()
}

// Drop drops the unfinished child and releases the finished one's output.
func (j *join2[A, B]) Drop() {
	if j.aReady && j.bReady {
		return
	}
	if !j.aReady {
		drop(j.a)
	} else {
		release(j.out.A)
	}
	if !j.bReady {
		drop(j.b)
	} else {
		release(j.out.B)
	}
}

// Selected is Select's output: which future won, and its value.
type Selected[T any] struct {
	Index int
	Value T
}

// Select returns a future that is ready as soon as one of fs is, yielding
// its index and value. The losers are cancelled: each is dropped (a
// JoinHandle among them cancels its task, a coroutine is stopped, a timer
// is stopped). When several are ready in the same poll, the first in fs
// wins.
func Select[T any](fs ...Future[T]) Future[Selected[T]] {
	return &selectFuture[T]{fs: fs}
}

type selectFuture[T any] struct {
	fs   []Future[T]
	done bool
}

func (s *selectFuture[T]) Poll(cx *Context) Poll[Selected[T]] {
	for i, f := range s.fs {
		if v, ok := f.Poll(cx).Value(); ok {
			s.done = true
			for j, loser := range s.fs {
				if j != i {
					drop(loser)
				}
			}
			s.fs = nil
			return PollReady(Selected[T]{Index: i, Value: v})
		}
	}
	return Pending[Selected[T]]()
}

func (s *selectFuture[T]) Drop() {
	if !s.done {
		for _, f := range s.fs {
			drop(f)
		}
		s.fs = nil
	}
}
