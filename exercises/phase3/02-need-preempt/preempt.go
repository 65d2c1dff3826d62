// Package needpreempt is exercise phase3/02-need-preempt: tell a running
// task that its slice is over, for the price of one memory load. Read
// README.md first.
package needpreempt

import (
	"time"

	"asyncworkbook/phases/check"
)

// The check import is here for check.TODO only. This line keeps it in use
// after you delete the last check.TODO() line, so the file still compiles;
// delete it (and the import) when you are done, if you like.
var _ = check.TODO

// Preempter answers NeedPreempt for the executor's running slice. Add
// the fields you need (README.md says which).
type Preempter struct {
	Clock  *Clock // the executor's clock (NeedPreempt must not read it)
	budget int
}

// NewPreempter returns a preempter whose slices may poll budget tasks.
func NewPreempter(c *Clock, budget int) *Preempter {
	return &Preempter{Clock: c, budget: budget}
}

// StartSlice begins a slice of the given length and returns its
// generation, for the slice timer to pass to Expire when length has
// passed. Executor goroutine.
func (p *Preempter) StartSlice(length time.Duration) uint64 {
	check.TODO() // delete this line and write StartSlice
	return 0
}

// Expire is the slice timer's callback, on another goroutine: the slice
// of generation gen is over — unless a newer slice has started.
func (p *Preempter) Expire(gen uint64) {
	check.TODO() // delete this line and write Expire
}

// Polled counts one poll of the running slice. Executor goroutine.
func (p *Preempter) Polled() {
	check.TODO() // delete this line and write Polled
}

// NeedPreempt reports whether the running task should give the CPU back:
// the slice's timer fired, or the slice has polled its budget. No clock.
func (p *Preempter) NeedPreempt() bool {
	check.TODO() // delete this line and write NeedPreempt
	return false
}
