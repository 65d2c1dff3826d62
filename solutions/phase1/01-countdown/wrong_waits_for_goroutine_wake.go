//go:build wrong && wrong_waits_for_goroutine_wake

// This is a WRONG answer, kept to prove the tests reject it
// (go test -tags wrong,wrong_waits_for_goroutine_wake ./solutions/phase1/01-countdown/ must fail).
//
// The wrong idea, disguised: it fires the waker from a new goroutine and
// waits inside Poll until that wake has landed, so the wake always
// arrives "during the poll", exactly where a real self-wake would. The
// trace cannot tell the two apart; the count of goroutines created can.

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
	if next <= 0 {
		return executor.PollReady(c.said)
	}
	c.said = append(c.said, next)
	w := cx.Waker()
	landed := make(chan struct{})
	go func() { w.Wake(); close(landed) }()
	<-landed
	return executor.Pending[[]int]()
}
