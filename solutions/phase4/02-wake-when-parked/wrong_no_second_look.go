//go:build wrong && wrong_no_second_look

// This is a WRONG answer, kept to prove the tests reject it
// (go test -tags wrong,wrong_no_second_look ./solutions/phase4/02-wake-when-parked/
// must fail).
//
// The wrong idea: "the ring was empty, so leave the waker and wait".
// Between the look that found the ring empty and the store of waiting,
// the sender may publish: it loads waiting, sees false, and does not
// wake. The receiver then waits for a message that is already there: a
// lost wakeup. This Poll never looks again after setting waiting.

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
	if v, ok := c.take(); ok {
		return executor.PollReady(v)
	}
	if c.waiting.Load() {
		return executor.Pending[T]()
	}
	c.waker = cx.WakerFor("wake chan (recv)")
	c.waiting.Store(true)
	return executor.Pending[T]()
}
