package wake

import (
	"fmt"
	"sync/atomic"

	executor "asyncworkbook/phase1-executor"
	"asyncworkbook/phases/check"
)

// Chan is a bounded channel with one sender and one receiver, which may
// run on different threads (two executors of a pool). This file is given:
// the ring itself. You write, in wake.go, who wakes whom.
type Chan[T any] struct {
	buf  []T
	mask uint64
	// tail counts messages published: stored only by the sender, after
	// writing the slot, so a receiver that loads it sees the message.
	tail atomic.Uint64
	// head counts messages taken: stored only by the receiver, after
	// copying the slot out, so a sender that loads it sees the room.
	head atomic.Uint64

	// waiting is the receiver's word: true means "my waker is in waker,
	// and I am returning Pending: fire it when you publish". The receiver
	// stores true; whoever changes it from true to false (a
	// CompareAndSwap) owns the one wake it stands for.
	waiting atomic.Bool
	// waker is written by the receiver only while waiting is false, and
	// read by fire only after the sender took waiting from true to false.
	waker executor.Waker

	wakes atomic.Uint64 // fires, for the tests
}

// New returns a channel with room for capacity messages (rounded up to a
// power of two).
func New[T any](capacity int) *Chan[T] {
	n := 1
	for n < capacity {
		n <<= 1
	}
	return &Chan[T]{buf: make([]T, n), mask: uint64(n - 1)}
}

// Wakes returns how many times fire ran.
func (c *Chan[T]) Wakes() uint64 { return c.wakes.Load() }

// publish writes v into the next slot and publishes it with one store of
// the tail. It reports false, writing nothing, if the ring is full.
// Sender only.
func (c *Chan[T]) publish(v T) bool {
	t := c.tail.Load() // only we store it
	if t-c.head.Load() == uint64(len(c.buf)) {
		return false
	}
	c.buf[t&c.mask] = v
	c.tail.Store(t + 1) // publishes the slot written above
	return true
}

// take copies out the next published message, or reports false if the
// ring is empty. Receiver only.
func (c *Chan[T]) take() (T, bool) {
	var zero T
	h := c.head.Load() // only we store it
	if h == c.tail.Load() {
		if hook := testHookEmpty; hook != nil {
			hook() // tests: the sender acts right after we saw "empty"
		}
		return zero, false
	}
	v := c.buf[h&c.mask]
	c.buf[h&c.mask] = zero
	c.head.Store(h + 1) // hands the slot back
	return v, true
}

// fire wakes the receiver through the waker it left. Call it only after
// taking the receiver's waiting word from true to false.
func (c *Chan[T]) fire() {
	c.wakes.Add(1)
	if c.waker.IsZero() {
		check.Fail(fmt.Sprintf("fire() ran (wake %d) with no waker in c.waker: fire only after taking waiting from true to false, "+
			"and the receiver must store its waker (cx.Waker()) before it sets waiting", c.wakes.Load()))
	}
	c.waker.Wake()
}

// testHookEmpty, in tests, runs each time take finds the ring empty, just
// after it looked: the window in which a sender publishes without seeing
// anyone wait yet.
var testHookEmpty func()

// Recv returns a future that yields the next message. Receiver only: one
// Recv at a time.
func (c *Chan[T]) Recv() executor.Future[T] { return &recv[T]{c: c} }

// recv is the future Recv returns; its Poll is yours, in wake.go.
type recv[T any] struct{ c *Chan[T] }
