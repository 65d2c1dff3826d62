//go:build wrong && wrong_look_then_sleep

// This is a WRONG answer, kept to prove the tests reject it
// (go test -tags wrong,wrong_look_then_sleep ./solutions/phase3/04-park-until/ must fail).
//
// The wrong idea: "look at the inbox; if it is empty, say I am sleeping
// and sleep". A wake that lands between the look and the store finds
// sleeping still false, so it does not notify; the executor then sleeps
// with a task in its inbox — for ever, if no timer is due.

// Package parkuntil is exercise phase3/04-park-until.
package parkuntil

import "sync/atomic"

// Parker is the executor's side of parking.
type Parker struct {
	Kernel   *Kernel
	Inbox    *Inbox
	Clock    *Clock
	Timers   *Timers
	sleeping atomic.Bool
}

// Wake pushes, and notifies if the executor sleeps.
func (p *Parker) Wake(task string) {
	p.Inbox.Push(task)
	if p.sleeping.CompareAndSwap(true, false) {
		p.Kernel.Notify()
	}
}

// Park looks first, then announces it sleeps: too late.
func (p *Parker) Park() string {
	if !p.Inbox.Empty() {
		return "work"
	}
	p.sleeping.Store(true)
	defer p.sleeping.Store(false)
	next, ok := p.Timers.Next()
	if !ok {
		return p.Kernel.Wait(Forever)
	}
	if wait := next - p.Clock.Now(); wait > 0 {
		return p.Kernel.Wait(wait)
	}
	return "deadline"
}
