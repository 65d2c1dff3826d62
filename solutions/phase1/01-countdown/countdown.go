//go:build !wrong

// Package countdown is exercise phase1/01-countdown: a hand-written future
// that does one step per poll and wakes itself.
package countdown

import executor "asyncworkbook/phase1-executor"

// Countdown is a future that says one number per poll, from N down to 1,
// and is then ready with the numbers it said.
type Countdown struct {
	N    int   // the first number to say
	said []int // the numbers said so far
}

// Poll does one step of the countdown.
func (c *Countdown) Poll(cx *executor.Context) executor.Poll[[]int] {
	next := c.N - len(c.said)
	if next <= 0 {
		return executor.PollReady(c.said)
	}
	c.said = append(c.said, next)
	// Nothing else will ever wake us: ask for another poll ourselves. The
	// executor sees the wake arrive during this poll and re-queues the
	// task at the back of the run queue once Poll returns.
	cx.Wake(cx.WakerFor("countdown (itself)"))
	return executor.Pending[[]int]()
}
