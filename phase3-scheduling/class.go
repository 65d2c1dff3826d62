package scheduling

import (
	"errors"
	"fmt"
	"time"
)

// Shares say how much of the CPU a queue gets when every queue is busy:
// two busy queues with shares 2 and 1 get two thirds and one third.
// Static shares are 1..1000 (Glommio's range); dynamic shares are a
// function the scheduler calls again every period (a controller that lowers
// a background queue's shares when the foreground falls behind). The zero
// value is invalid; use Static or Dynamic.
type Shares struct {
	static int
	fn     func() int
	period time.Duration
}

// MaxShares is the largest share count: a queue with 1000 shares gets a
// thousand times the CPU of one with 1.
const MaxShares = 1000

// DefaultSharesPeriod is how often dynamic shares are re-read when Dynamic
// is given 0 (Glommio's 250 ms).
const DefaultSharesPeriod = 250 * time.Millisecond

// Static returns fixed shares n, 1 ≤ n ≤ 1000 (checked by NewQueue).
func Static(n int) Shares { return Shares{static: n} }

// Dynamic returns shares read from fn when the queue is created and then
// at most once every period (0: DefaultSharesPeriod), when the scheduler
// picks a queue. A value outside 1..1000 is clamped into it. fn runs on
// the executor's goroutine.
func Dynamic(fn func() int, period time.Duration) Shares {
	if period <= 0 {
		period = DefaultSharesPeriod
	}
	return Shares{fn: fn, period: period}
}

func (s Shares) validate() error {
	if s.fn != nil {
		return nil
	}
	if s.static < 1 || s.static > MaxShares {
		return fmt.Errorf("scheduling: shares %d out of range 1..%d", s.static, MaxShares)
	}
	return nil
}

// String renders "2", or "dynamic/250ms".
func (s Shares) String() string {
	if s.fn != nil {
		return "dynamic/" + s.period.String()
	}
	return fmt.Sprint(s.static)
}

func clampShares(n int) int { return min(max(n, 1), MaxShares) }

// Latency is a queue's latency class: whether a task woken in it must be
// polled within some delay (Matters), or can wait its turn
// (NotImportant). The zero value is NotImportant.
type Latency struct {
	max time.Duration // 0: not important
}

// NotImportant is the class of throughput work: it waits for its turn by
// shares.
var NotImportant = Latency{}

// Matters returns the class of a queue whose tasks must be polled within
// d of being woken (d > 0, checked by NewQueue). While such a queue has
// ready tasks no queue runs a slice longer than d, and its waking up
// preempts the queue that is running.
func Matters(d time.Duration) Latency { return Latency{max: d} }

// Max returns the class's maximum delay, or 0 for NotImportant.
func (l Latency) Max() time.Duration { return l.max }

// String renders "matters(1ms)" or "not-important".
func (l Latency) String() string {
	if l.max == 0 {
		return "not-important"
	}
	return "matters(" + l.max.String() + ")"
}

// ErrForeignQueue is the error for spawning into a queue that belongs to
// another scheduler.
var ErrForeignQueue = errors.New("scheduling: the queue belongs to another scheduler")
