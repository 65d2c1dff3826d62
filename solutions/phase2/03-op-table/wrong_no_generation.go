//go:build wrong && wrong_no_generation

// This is a WRONG answer, kept to prove the tests reject it
// (go test -tags wrong,wrong_no_generation ./solutions/phase2/03-op-table/ must fail).
//
// The wrong idea: "the slot index is a fine user_data: each op has its
// own slot". It has — until the slot is reused. A CQE can arrive for an
// op that is over (a duplicate, the late completion of a cancelled op, a
// CQE reaped twice by a buggy loop); with the index alone it lands on
// whichever op has the slot now: the wrong task is woken, and it takes a
// result that is not its own. Everything else is right; the test that
// replays a stale user_data after the slot was reused fails.

// Package optable is exercise phase2/03-op-table.
package optable

import (
	executor "asyncworkbook/phase1-executor"
	"asyncworkbook/phases/trace"
)

// Table is the op table, keyed by slot index only.
type Table struct {
	slots []slot
	free  []uint32
}

type slot struct {
	busy, done bool
	waker      executor.Waker
	res        int32
}

// Start takes a slot; its index is the user_data.
func (t *Table) Start(w executor.Waker) uint64 {
	var idx uint32
	if n := len(t.free); n > 0 {
		idx = t.free[n-1]
		t.free = t.free[:n-1]
	} else {
		t.slots = append(t.slots, slot{})
		idx = uint32(len(t.slots) - 1)
	}
	t.slots[idx] = slot{busy: true, waker: w}
	return uint64(idx)
}

// Complete wakes whatever op holds the slot now.
func (t *Table) Complete(c CQE) bool {
	if c.UserData >= uint64(len(t.slots)) {
		return false
	}
	s := &t.slots[c.UserData]
	if !s.busy || s.done {
		return false
	}
	s.res, s.done = c.Res, true
	s.waker.WakeBy(trace.SourceCompletion)
	return true
}

// Result returns the result and frees the slot.
func (t *Table) Result(ud uint64, w executor.Waker) (int32, bool) {
	if ud >= uint64(len(t.slots)) {
		return 0, false
	}
	s := &t.slots[ud]
	if !s.busy || !s.done {
		if s.busy {
			s.waker = w
		}
		return 0, false
	}
	res := s.res
	t.slots[ud] = slot{}
	t.free = append(t.free, uint32(ud))
	return res, true
}

// Len returns how many entries are taken.
func (t *Table) Len() int { return len(t.slots) - len(t.free) }
