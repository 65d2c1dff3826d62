package parkuntil

// Everything in this file is given: a fake kernel to sleep in, the inbox
// other goroutines push woken tasks into, the executor's timers and its
// clock. Your part is in park.go.

import (
	"sync"
	"sync/atomic"
	"time"

	"asyncworkbook/phases/check"
)

// Clock is a fake clock: only Advance moves it. Safe for concurrent use.
type Clock struct{ ns atomic.Int64 }

// Now returns the fake time.
func (c *Clock) Now() time.Duration { return time.Duration(c.ns.Load()) }

// Advance moves the time on.
func (c *Clock) Advance(d time.Duration) { c.ns.Add(int64(d)) }

// Forever is the timeout of a wait with no deadline.
const Forever time.Duration = -1

// Kernel fakes the two system calls of a driver: Wait (io_uring_enter
// with a timeout) and Notify (the eventfd write). It counts both.
//
// Wait with a timeout returns at once, moving the fake clock by the
// timeout, unless a Notify is pending. Wait(Forever) blocks until a
// Notify; if none comes within 2 s it fails the test: the executor went
// to sleep for good.
type Kernel struct {
	Clock    *Clock
	Entered  chan struct{} // receives once each time a Wait starts sleeping
	mu       sync.Mutex
	notified bool          // a Notify came while nobody waited
	waiter   chan struct{} // closed by Notify
	waits    []time.Duration
	notifies int
}

// NewKernel returns a kernel over c.
func NewKernel(c *Clock) *Kernel { return &Kernel{Clock: c, Entered: make(chan struct{}, 16)} }

// Wait sleeps until Notify, or for timeout (Forever: no timeout), and
// says which: "notified" or "deadline".
func (k *Kernel) Wait(timeout time.Duration) string {
	k.mu.Lock()
	k.waits = append(k.waits, timeout)
	if k.notified {
		k.notified = false
		k.mu.Unlock()
		return "notified"
	}
	if timeout != Forever {
		k.mu.Unlock()
		k.Clock.Advance(timeout)
		return "deadline"
	}
	ch := make(chan struct{})
	k.waiter = ch
	k.mu.Unlock()
	k.Entered <- struct{}{}
	select {
	case <-ch:
		return "notified"
	case <-time.After(time.Second): // under check.Within's deadline (2 s in CI), so this message wins
		check.Fail("the executor parked with no deadline and nobody woke it in 1 s: a wakeup was lost " +
			"(announce sleeping before the last look at the inbox), or a timer was due and Park did not pass its timeout")
		return ""
	}
}

// Notify wakes a Wait in progress, or the next one.
func (k *Kernel) Notify() {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.notifies++
	if k.waiter != nil {
		close(k.waiter)
		k.waiter = nil
	} else {
		k.notified = true
	}
}

// Waits returns the timeout of every Wait so far.
func (k *Kernel) Waits() []time.Duration {
	k.mu.Lock()
	defer k.mu.Unlock()
	return append([]time.Duration(nil), k.waits...)
}

// Notifies returns how many Notify calls were made.
func (k *Kernel) Notifies() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.notifies
}

// Inbox holds tasks woken from other goroutines. Safe for concurrent use.
type Inbox struct {
	mu    sync.Mutex
	tasks []string
	// AfterLook, when set, runs after Empty has looked (and found its
	// answer): the tests use it to land a wake at the worst moment.
	AfterLook func()
}

// Push adds a task.
func (b *Inbox) Push(task string) {
	b.mu.Lock()
	b.tasks = append(b.tasks, task)
	b.mu.Unlock()
}

// Empty reports whether no task is waiting.
func (b *Inbox) Empty() bool {
	b.mu.Lock()
	empty := len(b.tasks) == 0
	b.mu.Unlock()
	if b.AfterLook != nil {
		f := b.AfterLook
		b.AfterLook = nil
		f()
	}
	return empty
}

// Timers is the executor's timer wheel, reduced to what parking needs.
type Timers struct {
	Deadlines []time.Duration // pending deadlines, any order
}

// Next returns the earliest deadline, if any.
func (t *Timers) Next() (time.Duration, bool) {
	if len(t.Deadlines) == 0 {
		return 0, false
	}
	m := t.Deadlines[0]
	for _, d := range t.Deadlines[1:] {
		m = min(m, d)
	}
	return m, true
}

// Parking is what the tests drive: your Parker.
type Parking interface {
	Wake(task string)
	Park() string
}
