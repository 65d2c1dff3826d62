//go:build wrong && wrong_says_zero

// This is a WRONG answer, kept to prove the tests reject it
// (go test -tags wrong,wrong_says_zero ./solutions/phase1/01-countdown/ must fail).
//
// The wrong idea: an off-by-one in the end test (next < 0 instead of
// next <= 0): the countdown also says 0, and is polled once more than it
// should be.

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
	next := c.N - len(c.said)
	if next < 0 {
		return executor.PollReady(c.said)
	}
	c.said = append(c.said, next)
	cx.Wake(cx.WakerFor("countdown (itself)"))
	return executor.Pending[[]int]()
}
