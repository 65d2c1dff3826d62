//go:build wrong && wrong_ignores_generation

// This is a WRONG answer, kept to prove the tests reject it
// (go test -tags wrong,wrong_ignores_generation ./solutions/phase3/02-need-preempt/ must fail).
//
// The wrong idea: "the timer fired, so preempt". A timer armed for an
// earlier slice can fire after that slice ended (it was already running
// when the slice was cut short): a plain flag then preempts the next
// slice the moment it starts.

// Package needpreempt is exercise phase3/02-need-preempt.
package needpreempt

import (
	"sync/atomic"
	"time"
)

// Preempter keeps one flag.
type Preempter struct {
	Clock  *Clock
	fired  atomic.Bool
	polls  int
	budget int
}

// NewPreempter returns a preempter.
func NewPreempter(c *Clock, budget int) *Preempter { return &Preempter{Clock: c, budget: budget} }

// StartSlice clears the flag.
func (p *Preempter) StartSlice(time.Duration) uint64 {
	p.fired.Store(false)
	p.polls = 0
	return 0
}

// Expire sets the flag, whatever slice it was armed for.
func (p *Preempter) Expire(uint64) { p.fired.Store(true) }

// Polled counts a poll.
func (p *Preempter) Polled() { p.polls++ }

// NeedPreempt reads the flag and the budget.
func (p *Preempter) NeedPreempt() bool { return p.fired.Load() || p.polls >= p.budget }
