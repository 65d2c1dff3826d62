//go:build wrong && wrong_cancel_forgets_count

// This is a WRONG answer, kept to prove the tests reject it
// (go test -tags wrong,wrong_cancel_forgets_count ./solutions/phase3/03-timer-wheel/ must fail).
//
// The wrong idea: "Cancel just has to stop counting the timer". It takes
// one off the count but leaves the timer linked in its slot, so the
// cancelled timer still fires.

// Package timerwheel is exercise phase3/03-timer-wheel: insert, cancel
// and advance a hierarchical timer wheel.
package timerwheel

import "time"

// Insert arms t to call fire at time at, rounded up to the next tick (a
// timer never fires early), and reports whether it did: a deadline that
// is not after the wheel's time is not inserted.
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

// Cancel takes t out of the wheel in O(1) and reports whether it was
// waiting.
func (w *Wheel) Cancel(t *Timer) bool {
	if !t.In {
		return false
	}
	w.N--
	return true
}

// Advance moves the wheel's time to now (in ticks, rounded down), firing
// every timer due by then, in deadline order, and returns how many fired.
// A slot of a coarse level that comes due is emptied into finer ones (a
// cascade); only a timer whose own deadline has come fires.
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
			if t.When <= w.Elapsed {
				w.N--
				fired++
				t.Fire()
			} else {
				w.Push(t) // cascade
			}
		}
	}
	w.Elapsed = max(w.Elapsed, target)
	return fired
}
