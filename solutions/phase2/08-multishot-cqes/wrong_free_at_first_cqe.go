//go:build wrong && wrong_free_at_first_cqe

// This is a WRONG answer, kept to prove the tests reject it
// (go test -tags wrong,wrong_free_at_first_cqe ./solutions/phase2/08-multishot-cqes/ must fail).
//
// The wrong idea: every CQE ends its op, as before multishot. The next Start
// takes the slot while the kernel still posts to it.

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
	if !s.InUse || s.Gen != gen {
		return false // the op is over; the slot is free or someone else's
	}
	s.Got = append(s.Got, c)
	s.Ended, s.InUse = true, false
	t.Free = append(t.Free, idx)
	return true
}
