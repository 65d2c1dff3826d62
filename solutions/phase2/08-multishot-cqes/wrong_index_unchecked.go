//go:build wrong && wrong_index_unchecked

// This is a WRONG answer, kept to prove the tests reject it
// (go test -tags wrong,wrong_index_unchecked ./solutions/phase2/08-multishot-cqes/ must fail).
//
// The wrong idea: a user_data always comes from Start, so its index is in
// range. A corrupt or foreign one panics the reactor.

// Package multishotcqes is exercise phase2/08-multishot-cqes: route a
// stream of CQEs — some from multishot ops — to the ops they belong to,
// and free a slot only at its op's last CQE.
package multishotcqes

// Complete delivers c to the op its user_data names and reports whether
// there was one in flight.
func (t *Table) Complete(c CQE) bool {
	idx, gen := uint32(c.UserData), uint32(c.UserData>>32)
	s := &t.Slots[idx]
	if !s.InUse || s.Gen != gen {
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
