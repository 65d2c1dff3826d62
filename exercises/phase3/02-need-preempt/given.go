package needpreempt

// Everything in this file is given. Your part is in preempt.go.

import (
	"sync/atomic"
	"time"
)

// Budget is how many polls a slice may take (tokio's number).
const Budget = 128

// Clock is the executor's clock. It counts its reads: NeedPreempt is
// asked between every two pieces of work, and a clock read (20–30 ns) per
// question is what this design exists to avoid. Safe for concurrent use.
type Clock struct {
	now   atomic.Int64
	reads atomic.Int64
}

// Now returns the fake time and counts the read.
func (c *Clock) Now() time.Duration {
	c.reads.Add(1)
	return time.Duration(c.now.Load())
}

// Advance moves the fake time on.
func (c *Clock) Advance(d time.Duration) { c.now.Add(int64(d)) }

// Reads returns how many times Now was called.
func (c *Clock) Reads() int64 { return c.reads.Load() }

// Preempting is what the tests drive: your Preempter.
type Preempting interface {
	StartSlice(length time.Duration) (gen uint64)
	Expire(gen uint64)
	Polled()
	NeedPreempt() bool
}
