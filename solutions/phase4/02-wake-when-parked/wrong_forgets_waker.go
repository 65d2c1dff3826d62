//go:build wrong && wrong_forgets_waker

// This is a WRONG answer, kept to prove the tests reject it
// (go test -tags wrong,wrong_forgets_waker ./solutions/phase4/02-wake-when-parked/
// must fail).
//
// The wrong idea: "waiting = true is all the sender needs". The sender
// takes the word and fires c.waker, but nothing was ever stored there:
// the zero waker wakes no task, and the receiver waits for good. This
// Poll sets waiting without leaving its waker.

// Package wake is exercise phase4/02-wake-when-parked.
package wake

import executor "asyncworkbook/phase1-executor"

// Send is wrong or right: see the comment at the top of the file.
func (c *Chan[T]) Send(v T) bool {
	if !c.publish(v) {
		return false
	}
	if c.waiting.CompareAndSwap(true, false) {
		c.fire()
	}
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
		c.waiting.Store(true)
		if c.tail.Load() == c.head.Load() {
			return executor.Pending[T]()
		}
		if !c.waiting.CompareAndSwap(true, false) {
			return executor.Pending[T]()
		}
	}
}
