package executor

// Chan is a one-slot channel between tasks of one executor: Send waits
// while the slot is full, Recv while it is empty, and each wakes the other
// side through its waker. It shows the smallest useful thing wakers are
// for; phase 4 builds channels that cross executors.
//
// A Chan belongs to one executor: use it only from tasks polled by that
// executor (it takes no locks). At most one task may wait to send and one
// to receive at a time. The zero value is an empty, open channel.
type Chan[T any] struct {
	val    T
	full   bool
	closed bool
	sender Waker // a task waiting for the slot to empty
	recver Waker // a task waiting for the slot to fill
}

// NewChan returns an empty one-slot channel.
func NewChan[T any]() *Chan[T] { return &Chan[T]{} }

// Send returns a future that puts v in the slot once it is empty. Sending
// on a closed channel panics, as with Go channels.
func (c *Chan[T]) Send(v T) Future[struct{}] { return &chanSend[T]{c: c, v: v} }

// Recv returns a future yielding the next value, and false once the
// channel is closed and empty.
func (c *Chan[T]) Recv() Future[RecvResult[T]] { return chanRecv[T]{c: c} }

// Close closes the channel and wakes a waiting receiver. Call it from a
// task polled by the channel's executor, passing that poll's Context.
func (c *Chan[T]) Close(cx *Context) {
	c.closed = true
	if w := c.recver; !w.IsZero() {
		c.recver = Waker{}
		cx.Wake(w)
	}
}

// RecvResult is what Recv yields: the value, and OK false when the channel
// was closed and empty.
type RecvResult[T any] struct {
	Value T
	OK    bool
}

type chanSend[T any] struct {
	c *Chan[T]
	v T
}

func (s *chanSend[T]) Poll(cx *Context) Poll[struct{}] {
	c := s.c
	if c.closed {
		panic("executor: send on closed Chan")
	}
	if c.full {
		c.sender = cx.WakerFor("chan (send)")
		return Pending[struct{}]()
	}
	c.val, c.full = s.v, true
	if w := c.recver; !w.IsZero() {
		c.recver = Waker{}
		cx.Wake(w)
	}
	return PollReady(struct{}{})
}

type chanRecv[T any] struct{ c *Chan[T] }

func (r chanRecv[T]) Poll(cx *Context) Poll[RecvResult[T]] {
	c := r.c
	if !c.full {
		if c.closed {
			return PollReady(RecvResult[T]{})
		}
		c.recver = cx.WakerFor("chan (recv)")
		return Pending[RecvResult[T]]()
	}
	v := c.val
	var zero T
	c.val, c.full = zero, false
	if w := c.sender; !w.IsZero() {
		c.sender = Waker{}
		cx.Wake(w)
	}
	return PollReady(RecvResult[T]{Value: v, OK: true})
}
