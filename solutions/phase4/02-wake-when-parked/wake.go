//go:build !wrong

// Package wake is exercise phase4/02-wake-when-parked: a channel between
// two executors whose sender wakes the receiver only when it waits, and
// never loses the wakeup.
package wake

import executor "asyncworkbook/phase1-executor"

// Send publishes v and wakes the receiver if, and only if, it waits. It
// reports false, sending nothing, if the ring is full. Sender only.
func (c *Chan[T]) Send(v T) bool {
	if !c.publish(v) {
		return false
	}
	// Store tail (in publish), then load the receiver's word; the receiver
	// stores its word, then loads the tail. Go's atomics are sequentially
	// consistent, so one of us sees the other's store: either we see it
	// waiting and wake it, or it sees our message on its second look.
	if c.waiting.CompareAndSwap(true, false) {
		c.fire()
	}
	return true
}

// Poll takes the next message, or leaves the receiver's waker and says it
// waits, without ever missing a message published meanwhile.
func (r *recv[T]) Poll(cx *executor.Context) executor.Poll[T] {
	c := r.c
	for {
		if v, ok := c.take(); ok {
			return executor.PollReady(v)
		}
		if c.waiting.Load() {
			return executor.Pending[T]() // already waiting: a wake will come
		}
		c.waker = cx.WakerFor("wake chan (recv)")
		c.waiting.Store(true)
		// Look again: a message published before the sender could see us
		// waiting would otherwise be missed.
		if c.tail.Load() == c.head.Load() {
			return executor.Pending[T]()
		}
		if !c.waiting.CompareAndSwap(true, false) {
			return executor.Pending[T]() // the sender took it and fires: we will be polled
		}
		// Took our word back: go round and take the message.
	}
}
