//go:build wrong && wrong_keeps_waiting_word

// This is a WRONG answer, kept to prove the tests reject it
// (go test -tags wrong,wrong_keeps_waiting_word ./solutions/phase4/02-wake-when-parked/
// must fail).
//
// The wrong idea: "a message is there on the second look: take it and
// go". The waiting word still says true, so the sender's next Send, with
// the receiver busy and not waiting at all, takes it and fires a wake
// nobody needs (a spurious poll, an eventfd write). This Poll does not
// take its word back.

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
		if c.waiting.Load() && c.tail.Load() == c.head.Load() {
			return executor.Pending[T]()
		}
		c.waker = cx.WakerFor("wake chan (recv)")
		c.waiting.Store(true)
		if c.tail.Load() == c.head.Load() {
			return executor.Pending[T]()
		}
	}
}
