//go:build wrong && wrong_waits_until_not_for

// This is a WRONG answer, kept to prove the tests reject it
// (go test -tags wrong,wrong_waits_until_not_for ./solutions/phase3/04-park-until/ must fail).
//
// The wrong idea: "wait until the deadline". The kernel's timeout is
// relative, but Park passes the deadline itself, so it sleeps for the
// deadline's whole value from now and wakes late.

// Package parkuntil is exercise phase3/04-park-until: park the executor
// until its next deadline, and wake it from another goroutine only when
// it really sleeps.
package parkuntil

import "sync/atomic"

// Parker is the executor's side of parking.
//
// The handshake: Park stores sleeping = true, then looks at the inbox
// one last time; Wake pushes to the inbox, then swaps sleeping from true
// to false and notifies the kernel only if it won that swap. Go's atomics
// are sequentially consistent, so at least one of the two sees the
// other's write: no wakeup is lost, and a busy executor costs no system
// call.
type Parker struct {
	Kernel   *Kernel
	Inbox    *Inbox
	Clock    *Clock
	Timers   *Timers
	sleeping atomic.Bool
}

// Wake hands task to the executor from any goroutine.
func (p *Parker) Wake(task string) {
	p.Inbox.Push(task)
	if p.sleeping.Load() && p.sleeping.CompareAndSwap(true, false) {
		p.Kernel.Notify()
	}
}

// Park sleeps until a Wake, or until the next timer's deadline, with one
// kernel wait, and returns the kernel's reason ("work" if the inbox was
// not empty, "deadline" if a timer was already due). Executor goroutine.
func (p *Parker) Park() string {
	p.sleeping.Store(true)
	defer p.sleeping.Store(false)
	if !p.Inbox.Empty() {
		return "work"
	}
	next, ok := p.Timers.Next()
	if !ok {
		return p.Kernel.Wait(Forever)
	}
	wait := next - p.Clock.Now()
	if wait <= 0 {
		return "deadline"
	}
	return p.Kernel.Wait(next)
}
