// Package timerwheel is exercise phase3/03-timer-wheel: insert, cancel
// and advance a hierarchical timer wheel. Read README.md first.
package timerwheel

import (
	"time"

	"asyncworkbook/phases/check"
)

// The check import is here for check.TODO only. This line keeps it in use
// after you delete the last check.TODO() line, so the file still compiles;
// delete it (and the import) when you are done, if you like.
var _ = check.TODO

// Insert arms t to call fire at time at, rounded up to the next tick (a
// timer never fires early), and reports whether it did: a deadline that
// is not after the wheel's time is not inserted.
func (w *Wheel) Insert(t *Timer, at time.Duration, fire func()) bool {
	check.TODO() // delete this line and write Insert
	return false
}

// Cancel takes t out of the wheel in O(1) and reports whether it was
// waiting.
func (w *Wheel) Cancel(t *Timer) bool {
	check.TODO() // delete this line and write Cancel
	return false
}

// Advance moves the wheel's time to now (in ticks, rounded down), firing
// every timer due by then, in deadline order, and returns how many fired.
// A slot of a coarse level that comes due is emptied into finer ones (a
// cascade); only a timer whose own deadline has come fires.
func (w *Wheel) Advance(now time.Duration) int {
	check.TODO() // delete this line and write Advance
	return 0
}
