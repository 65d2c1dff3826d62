//go:build wrong && wrong_wake_every_send

// This is a WRONG answer, kept to prove the tests reject it
// (go test -tags wrong,wrong_wake_every_send ./solutions/phase4/02-wake-when-parked/
// must fail).
//
// The wrong idea: "waking is cheap, so wake on every send". Through a
// pool, a wake is a write to the receiving executor's eventfd: a system
// call on the sender's core and, if the receiver was busy, a spurious
// poll on its own. A receiver that keeps up should cost the sender one
// atomic load per message. This Send fires after every message, waiting
// or not.

// Package wake is exercise phase4/02-wake-when-parked.
package wake

import executor "asyncworkbook/phase1-executor"

// Send is wrong or right: see the comment at the top of the file.
func (c *Chan[T]) Send(v T) bool {
	if !c.publish(v) {
		return false
	}
	c.waiting.Store(false)
	c.fire()
	return true
}

// Poll is wrong or right: see the comment at the top of the file.
func (r *recv[T]) Poll(cx *executor.Context) executor.Poll[T] {
	c := r.c
	for {
		if v, ok := c.take(); ok {
			return executor.PollReady(v)
		}
		if c.waiting.Load() {
			return executor.Pending[T]()
		}
		c.waker = cx.WakerFor("wake chan (recv)")
		c.waiting.Store(true)
		if c.tail.Load() == c.head.Load() {
			return executor.Pending[T]()
		}
		if !c.waiting.CompareAndSwap(true, false) {
			return executor.Pending[T]()
		}
	}
}
