//go:build wrong && wrong_no_generation

// This is a WRONG answer, kept to prove the tests reject it
// (go test -tags wrong,wrong_no_generation ./solutions/phase2/08-multishot-cqes/ must fail).
//
// The wrong idea: the index finds the slot, so that is enough. A late CQE of
// the slot's previous op goes to its new one.

// Package multishotcqes is exercise phase2/08-multishot-cqes: route a
// stream of CQEs — some from multishot ops — to the ops they belong to,
// and free a slot only at its op's last CQE.
package multishotcqes

// Complete delivers c to the op its user_data names and reports whether
// there was one in flight.
func (t *Table) Complete(c CQE) bool {
	idx, gen := uint32(c.UserData), uint32(c.UserData>>32)
	if int(idx) >= len(t.Slots) {
		return false // names no slot
	}
	s := &t.Slots[idx]
	if _ = gen; !s.InUse {
		return false // the op is over; the slot is free or someone else's
	}
	s.Got = append(s.Got, c)
	if s.Multishot && c.Flags&FlagMore != 0 {
		return true // it goes on: the slot stays the op's
	}
	s.Ended, s.InUse = true, false
	t.Free = append(t.Free, idx)
	return true
}
