package executor

import "time"

// TimeoutDriver is an optional capability of a Driver: parking for at
// most a given time. Phase 3 keeps its timers in user space and parks
// until the next deadline with one kernel timeout per park; a driver that
// has no ParkTimeout can only park until woken.
type TimeoutDriver interface {
	Driver
	// ParkTimeout is Park, but returns after d at the latest (d > 0):
	// then its reason is ParkDeadline. Executor goroutine only.
	ParkTimeout(d time.Duration) (reason string)
}

// ParkDeadline is the reason a ParkTimeout returns when d has passed.
const ParkDeadline = "deadline"

// ParkTimeout implements TimeoutDriver: it waits for a token or for d,
// whichever comes first, on a Go runtime timer.
func (d *ChanDriver) ParkTimeout(timeout time.Duration) string {
	select {
	case <-d.token:
		return "woken"
	default:
	}
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case <-d.token:
		return "woken"
	case <-t.C:
		return ParkDeadline
	}
}
