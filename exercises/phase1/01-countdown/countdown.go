// Package countdown is exercise phase1/01-countdown: a hand-written future
// that does one step per poll and wakes itself. Read README.md first.
package countdown

import (
	executor "asyncworkbook/phase1-executor"
	"asyncworkbook/phases/check"
)

// The check import is here for check.TODO only. This line keeps it in use
// after you delete the last check.TODO() line, so the file still compiles;
// delete it (and the import) when you are done, if you like.
var _ = check.TODO

// Countdown is a future that says one number per poll, from N down to 1,
// and is then ready with the numbers it said.
type Countdown struct {
	N    int   // the first number to say
	said []int // the numbers said so far
}

// Poll does one step of the countdown: see the table in README.md.
func (c *Countdown) Poll(cx *executor.Context) executor.Poll[[]int] {
	check.TODO() // delete this line, then write Poll
	return executor.Pending[[]int]()
}
