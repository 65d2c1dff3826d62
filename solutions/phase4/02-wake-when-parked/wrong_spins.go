//go:build wrong && wrong_spins

// This is a WRONG answer, kept to prove the tests reject it
// (go test -tags wrong,wrong_spins ./solutions/phase4/02-wake-when-parked/
// must fail).
//
// The wrong idea: "nothing there yet: yield and look again". Waking
// itself before returning Pending is a busy loop: the executor never
// parks, the core runs at 100 %, and a thread-per-core runtime has no
// other thread to give that core to. This Poll wakes itself when the
// ring is empty.

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
	cx.Wake(cx.WakerFor("wake chan (spin)"))
	return executor.Pending[T]()
}
