//go:build wrong && wrong_loses_on_cascade

// This is a WRONG answer, kept to prove the tests reject it
// (go test -tags wrong,wrong_loses_on_cascade ./solutions/phase3/03-timer-wheel/ must fail).
//
// The wrong idea: "a slot that comes due holds the timers that are due".
// True at level 0 only. A coarse slot spans many ticks; when it comes due
// most of its timers are not, and they must go down a level (a cascade).
// This Advance drops them: they never fire.

// Package timerwheel is exercise phase3/03-timer-wheel.
package timerwheel

import "time"

// Insert arms t.
func (w *Wheel) Insert(t *Timer, at time.Duration, fire func()) bool {
	if t.In {
		w.Cancel(t)
	}
	when := uint64((at + w.Tick - 1) / w.Tick)
	if at <= 0 || when <= w.Elapsed {
		return false
	}
	t.When, t.Fire = when, fire
	w.Push(t)
	w.N++
	return true
}

// Cancel takes t out.
func (w *Wheel) Cancel(t *Timer) bool {
	if !t.In {
		return false
	}
	w.Unlink(t)
	w.N--
	return true
}

// Advance fires the due ones and forgets the rest of the slot.
func (w *Wheel) Advance(now time.Duration) int {
	target := uint64(max(now, 0) / w.Tick)
	fired := 0
	for {
		l, s, start, ok := w.NextSlot()
		if !ok || start > target {
			break
		}
		w.Elapsed = start
		for t := w.Head(l, s); t != nil; t = w.Head(l, s) {
			w.Unlink(t)
			w.N--
			if t.When <= w.Elapsed {
				fired++
				t.Fire()
			}
		}
	}
	w.Elapsed = max(w.Elapsed, target)
	return fired
}
