//go:build wrong && wrong_second_cqe_wins

// This is a WRONG answer, kept to prove the tests reject it
// (go test -tags wrong,wrong_second_cqe_wins ./solutions/phase2/03-op-table/ must fail).
//
// The wrong idea: Complete checks the user_data but not the state: a
// second CQE for the same op (a duplicate, or one reaped twice) overwrites
// the result and wakes the task again.

// Package optable is exercise phase2/03-op-table: from a CQE to the task
// that waits for it.
package optable

import (
	executor "asyncworkbook/phase1-executor"
	"asyncworkbook/phases/trace"
)

// Table is the reactor's op table: one entry per operation in flight,
// found again from the user_data its CQE carries. Executor goroutine only.
type Table struct {
	slots []slot
	free  []uint32 // indexes of free slots, reused last-in first-out
}

type slot struct {
	gen   uint32 // bumped each time the slot is taken: old user_data no longer matches
	state state
	waker executor.Waker
	res   int32
}

type state uint8

const (
	slotFree     state = iota
	slotInFlight       // waiting for the CQE
	slotDone           // the CQE came; waiting for Result
)

// userData packs a slot index and its generation into one word.
func userData(idx, gen uint32) uint64 { return uint64(gen)<<32 | uint64(idx) }

// split unpacks what userData packed.
func split(ud uint64) (idx, gen uint32) { return uint32(ud), uint32(ud >> 32) }

// Start takes an entry for a new operation whose task w wakes, and
// returns the user_data to put in its SQE.
func (t *Table) Start(w executor.Waker) uint64 {
	var idx uint32
	if n := len(t.free); n > 0 {
		idx = t.free[n-1]
		t.free = t.free[:n-1]
	} else {
		t.slots = append(t.slots, slot{})
		idx = uint32(len(t.slots) - 1)
	}
	s := &t.slots[idx]
	s.gen++
	s.state, s.waker, s.res = slotInFlight, w, 0
	return userData(idx, s.gen)
}

// lookup returns the slot a user_data names, or nil if it names none that
// is current.
func (t *Table) lookup(ud uint64) *slot {
	idx, gen := split(ud)
	if int(idx) >= len(t.slots) || t.slots[idx].gen != gen {
		return nil
	}
	return &t.slots[idx]
}

// Complete handles one CQE: if it is for an operation in flight, it
// stores the result, wakes the operation's task and returns true.
// Anything else — an unknown or stale user_data, a second CQE for the
// same operation — is ignored (false).
func (t *Table) Complete(c CQE) bool {
	s := t.lookup(c.UserData)
	if s == nil || s.state == slotFree {
		return false
	}
	s.res, s.state = c.Res, slotDone
	w := s.waker
	s.waker = executor.Waker{} // the table no longer needs it
	w.WakeBy(trace.SourceCompletion)
	return true
}

// Result returns the result of the operation ud once its CQE has come,
// and frees its entry (ud is stale from then on). Before that, done is
// false, and w becomes the waker Complete will fire: the future may be
// polled by another task than the one that started it (moved into a
// Select, a Join, another task), and the newest poll's waker is the one
// to wake.
func (t *Table) Result(ud uint64, w executor.Waker) (res int32, done bool) {
	s := t.lookup(ud)
	if s == nil {
		return 0, false
	}
	if s.state != slotDone {
		if s.state == slotInFlight {
			s.waker = w // the newest poll's task is the one waiting now
		}
		return 0, false
	}
	res = s.res
	s.state = slotFree
	idx, _ := split(ud)
	t.free = append(t.free, idx)
	return res, true
}

// Len returns how many entries are taken: in flight, or done and not yet
// collected by Result.
func (t *Table) Len() int { return len(t.slots) - len(t.free) }
