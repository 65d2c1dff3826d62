//go:build wrong && wrong_goroutine_wake

// This is a WRONG answer, kept to prove the tests reject it
// (go test -tags wrong,wrong_goroutine_wake ./solutions/phase1/01-countdown/ must fail).
//
// The wrong idea: "somebody must wake me: a goroutine will". It fires
// the waker from a new goroutine. The task is polled again, but the wake
// came from outside the executor, at a moment the executor does not
// choose; the tests count the goroutines the countdown starts.

// Package countdown is exercise phase1/01-countdown.
package countdown

import (
	executor "asyncworkbook/phase1-executor"
)

// Countdown is a future that says one number per poll, from N down to 1,
// and is then ready with the numbers it said.
type Countdown struct {
	N    int
	said []int
}

// Poll does one step of the countdown — wrongly.
func (c *Countdown) Poll(cx *executor.Context) executor.Poll[[]int] {
	next := c.N - len(c.said)
	if next <= 0 {
		return executor.PollReady(c.said)
	}
	c.said = append(c.said, next)
	w := cx.Waker()
	go w.Wake()
	return executor.Pending[[]int]()
}
