//go:build wrong && wrong_forgets_waker

// This is a WRONG answer, kept to prove the tests reject it
// (go test -tags wrong,wrong_forgets_waker ./solutions/phase1/01-countdown/ must fail).
//
// The wrong idea: "returning Pending means the executor will come back
// to me". It will not. The executor polls a task again only when the
// task's waker fires; this Poll says a number and returns Pending without
// giving its waker to anyone, so after the first step the task waits
// forever (a lost wakeup). The tests run it on an executor that fails as
// soon as it has to park, and their trace shows the Pending poll with no
// waker-registered event.

// Package countdown is exercise phase1/01-countdown.
package countdown

import executor "asyncworkbook/phase1-executor"

// Countdown is a future that says one number per poll, from N down to 1,
// and is then ready with the numbers it said.
type Countdown struct {
	N    int
	said []int
}

// Poll does one step of the countdown — and forgets to ask for the next.
func (c *Countdown) Poll(cx *executor.Context) executor.Poll[[]int] {
	next := c.N - len(c.said)
	if next <= 0 {
		return executor.PollReady(c.said)
	}
	c.said = append(c.said, next)
	return executor.Pending[[]int]()
}
