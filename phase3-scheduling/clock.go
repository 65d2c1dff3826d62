package scheduling

import (
	"sync/atomic"
	"time"
)

// Clock is the scheduler's and the timer wheel's source of time: a
// monotonic reading in nanoseconds since some fixed start. The real one
// reads the monotonic clock; tests pass a FakeClock and move time by hand,
// so a decision about shares or deadlines can be replayed exactly.
type Clock interface {
	Now() time.Duration
}

// realClock reads the monotonic clock (time.Since keeps the monotonic
// reading; about 20–30 ns through the vDSO).
type realClock struct{ start time.Time }

// Now reads the monotonic clock.
func (c realClock) Now() time.Duration { return time.Since(c.start) }

// NewRealClock returns a Clock that reads the monotonic clock, starting
// near zero.
func NewRealClock() Clock { return realClock{start: time.Now()} }

// FakeClock is a Clock that moves only when told: Advance and Set. Safe
// for concurrent use (a test may advance it from a task while a watchdog
// reads it). The zero value reads 0.
type FakeClock struct{ ns atomic.Int64 }

// Now returns the fake time.
func (c *FakeClock) Now() time.Duration { return time.Duration(c.ns.Load()) }

// Advance moves the clock forward by d (d ≥ 0).
func (c *FakeClock) Advance(d time.Duration) {
	if d < 0 {
		panic("scheduling: FakeClock.Advance with a negative duration")
	}
	c.ns.Add(int64(d))
}

// Set moves the clock to t, which must not be in its past.
func (c *FakeClock) Set(t time.Duration) {
	if t < c.Now() {
		panic("scheduling: FakeClock.Set into the past")
	}
	c.ns.Store(int64(t))
}
