//go:build wrong && wrong_budget_never_resets

// This is a WRONG answer, kept to prove the tests reject it
// (go test -tags wrong,wrong_budget_never_resets ./solutions/phase3/02-need-preempt/ must fail).
//
// The wrong idea: "count the polls; the budget takes care of itself".
// StartSlice never resets the count, so once one slice has used its
// budget every later slice is over before its first poll.

// Package needpreempt is exercise phase3/02-need-preempt: tell a running
// task that its slice is over, for the price of one memory load.
package needpreempt

import (
	"sync/atomic"
	"time"
)

// Preempter answers NeedPreempt for the executor's running slice.
//
// word packs the slice's generation (bits 63..1) and whether its timer
// fired (bit 0). StartSlice stores gen<<1; Expire, on the timer's
// goroutine, swaps gen<<1 for gen<<1|1 only if that generation is still
// running, so a late timer of an old slice cannot preempt a new one.
type Preempter struct {
	Clock  *Clock // the executor's clock (NeedPreempt must not read it)
	word   atomic.Uint64
	gen    uint64 // executor goroutine only
	polls  int    // polls in this slice; executor goroutine only
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
	p.gen++
	p.word.Store(p.gen << 1)
	return p.gen
}

// Expire is the slice timer's callback, on another goroutine: the slice
// of generation gen is over — unless a newer slice has started.
func (p *Preempter) Expire(gen uint64) {
	p.word.CompareAndSwap(gen<<1, gen<<1|1)
}

// Polled counts one poll of the running slice. Executor goroutine.
func (p *Preempter) Polled() { p.polls++ }

// NeedPreempt reports whether the running task should give the CPU back:
// the slice's timer fired, or the slice has polled its budget. No clock.
func (p *Preempter) NeedPreempt() bool {
	return p.word.Load()&1 != 0 || p.polls >= p.budget
}
