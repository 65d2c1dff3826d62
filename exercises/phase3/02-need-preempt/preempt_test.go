package needpreempt

import (
	"fmt"
	"testing"
	"time"

	"asyncworkbook/phases/check"
)

const exercise = "phase3/02-need-preempt"

// mine builds your Preempter (under -tags wrong, a wrong_*.go fixture's).
func mine(c *Clock, budget int) Preempting { return NewPreempter(c, budget) }

type maker func(c *Clock, budget int) Preempting

func checkTimerEndsTheSlice(mk maker) string {
	p := mk(&Clock{}, Budget)
	g := p.StartSlice(time.Millisecond)
	if p.NeedPreempt() {
		return "NeedPreempt is true at the start of a slice"
	}
	p.Expire(g)
	if !p.NeedPreempt() {
		return "the slice's timer fired (Expire), but NeedPreempt is false"
	}
	p.StartSlice(time.Millisecond)
	if p.NeedPreempt() {
		return "a new slice starts preempted: StartSlice must clear what the last one's timer set"
	}
	return ""
}

func checkLateTimerOfAnOldSlice(mk maker) string {
	p := mk(&Clock{}, Budget)
	old := p.StartSlice(time.Millisecond)
	p.StartSlice(time.Millisecond) // the old slice ended early (its queue ran dry)
	p.Expire(old)                  // ...and its timer fires late
	if p.NeedPreempt() {
		return "the timer of an earlier slice fired late and preempted the new one: Expire must check the generation"
	}
	return ""
}

func checkBudget(mk maker) string {
	p := mk(&Clock{}, 4)
	for round := range 2 {
		p.StartSlice(time.Hour)
		for i := range 4 {
			p.Polled()
			if got, want := p.NeedPreempt(), i == 3; got != want {
				return fmt.Sprintf("slice %d, after %d polls of a budget of 4: NeedPreempt = %v, want %v", round+1, i+1, got, want)
			}
		}
	}
	return ""
}

func checkNoClock(mk maker) string {
	c := &Clock{}
	p := mk(c, Budget)
	p.StartSlice(time.Millisecond)
	before := c.Reads()
	for range 1000 {
		p.NeedPreempt()
	}
	if n := c.Reads() - before; n != 0 {
		return fmt.Sprintf("1000 NeedPreempt calls read the clock %d times, want 0: the timer's goroutine says when time is up", n)
	}
	return ""
}

func checkSeenAcrossGoroutines(mk maker) string {
	p := mk(&Clock{}, 1<<30)
	g := p.StartSlice(time.Millisecond)
	go p.Expire(g) // as the slice timer would, from its own goroutine
	deadline := time.Now().Add(5 * time.Second)
	for !p.NeedPreempt() {
		if time.Now().After(deadline) {
			return "Expire ran on another goroutine, but NeedPreempt never saw it (5 s): use an atomic"
		}
	}
	return ""
}

func run(t *testing.T, c func(maker) string) {
	t.Helper()
	defer check.Guard(t, exercise)
	if msg := check.Within(t, func() string { return c(mine) }); msg != "" {
		t.Fatal(msg)
	}
}

func TestTheSliceTimerEndsTheSlice(t *testing.T) { run(t, checkTimerEndsTheSlice) }

func TestALateTimerOfAnOldSliceIsIgnored(t *testing.T) { run(t, checkLateTimerOfAnOldSlice) }

func TestTheBudgetEndsASliceAfterItsPolls(t *testing.T) { run(t, checkBudget) }

func TestNeedPreemptNeverReadsTheClock(t *testing.T) { run(t, checkNoClock) }

func TestAnExpireOnAnotherGoroutineIsSeen(t *testing.T) { run(t, checkSeenAcrossGoroutines) }
