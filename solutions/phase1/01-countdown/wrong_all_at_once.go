//go:build wrong && wrong_all_at_once

// This is a WRONG answer, kept to prove the tests reject it
// (go test -tags wrong,wrong_all_at_once ./solutions/phase1/01-countdown/ must fail).
//
// The wrong idea: "the executor asks, so answer it all". One poll says
// every number and is Ready: the output is right, but the task never
// gives the executor back, so two countdowns do not take turns. Caught
// by the poll count and by the two-countdowns order.

// Package countdown is exercise phase1/01-countdown.
package countdown

import executor "asyncworkbook/phase1-executor"

// Countdown is a future that says one number per poll, from N down to 1,
// and is then ready with the numbers it said.
type Countdown struct {
	N    int
	said []int
}

// Poll does one step of the countdown — wrongly.
func (c *Countdown) Poll(cx *executor.Context) executor.Poll[[]int] {
	for next := c.N - len(c.said); next > 0; next-- {
		c.said = append(c.said, next)
	}
	return executor.PollReady(c.said)
}
