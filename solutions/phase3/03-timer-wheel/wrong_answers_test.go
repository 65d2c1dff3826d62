package timerwheel

import (
	"testing"
	"time"

	"asyncworkbook/phases/check"
)

// Known wrong answers, built from the right one with one thing changed.
// The suite must reject each.

func refInsert(w *Wheel, t *Timer, at time.Duration, fire func()) bool {
	if t.In {
		refCancel(w, t)
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

func refCancel(w *Wheel, t *Timer) bool {
	if !t.In {
		return false
	}
	w.Unlink(t)
	w.N--
	return true
}

// advance is the right Advance with two knobs to turn it wrong.
func advance(w *Wheel, now time.Duration, fireWholeSlot, oneSlot bool) int {
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
			if t.When <= w.Elapsed || fireWholeSlot {
				w.N--
				fired++
				t.Fire()
			} else {
				w.Push(t)
			}
		}
		if oneSlot {
			break
		}
	}
	w.Elapsed = max(w.Elapsed, target)
	return fired
}

var wrongAnswers = map[string]Impl{
	"drops timers on cascade": {Insert: refInsert, Cancel: refCancel, Advance: func(w *Wheel, now time.Duration) int {
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
	}},
	"fires a coarse slot's timers early": {Insert: refInsert, Cancel: refCancel, Advance: func(w *Wheel, now time.Duration) int {
		return advance(w, now, true, false)
	}},
	"rounds deadlines down": {Insert: func(w *Wheel, t *Timer, at time.Duration, fire func()) bool {
		if when := uint64(at / w.Tick); when > w.Elapsed {
			t.When, t.Fire = when, fire
			w.Push(t)
			w.N++
			return true
		}
		return false
	}, Cancel: refCancel, Advance: func(w *Wheel, now time.Duration) int { return advance(w, now, false, false) }},
	"cancel only forgets the count": {Insert: refInsert, Cancel: func(w *Wheel, t *Timer) bool {
		if !t.In {
			return false
		}
		w.N--
		return true
	}, Advance: func(w *Wheel, now time.Duration) int { return advance(w, now, false, false) }},
	"one slot per Advance": {Insert: refInsert, Cancel: refCancel, Advance: func(w *Wheel, now time.Duration) int {
		return advance(w, now, false, true)
	}},
}

func TestTheseTestsRejectKnownWrongAnswers(t *testing.T) {
	defer check.Guard(t, exercise)
	Mine.Advance(NewWheel(), 0) // a skeleton stops here: start with wheel.go
	for name, impl := range wrongAnswers {
		t.Run(name, func(t *testing.T) {
			for _, c := range checks {
				if check.Within(t, func() string { return c.fn(impl) }) != "" {
					return
				}
			}
			t.Errorf("the wrong answer %q passes every check", name)
		})
	}
}
