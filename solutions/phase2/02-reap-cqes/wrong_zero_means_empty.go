//go:build wrong && wrong_zero_means_empty

// This is a WRONG answer, kept to prove the tests reject it
// (go test -tags wrong,wrong_zero_means_empty ./solutions/phase2/02-reap-cqes/ must fail).
//
// The wrong idea: "an empty slot reads as zero": reap slots until one has
// user_data 0, without looking at the tail. user_data 0 is a valid value
// (op 0, descriptor 0), released slots are not zeroed, and only the tail
// says what the kernel has published.

// Package reapcqes is exercise phase2/02-reap-cqes: the consumer side of
// a completion ring.
package reapcqes

// Reap hands every completion that is ready to fn, oldest first, then
// releases their slots to the kernel with one store of the head. It
// returns how many it reaped.
func (q *CQ) Reap(fn func(Completion)) int {
	head := q.Head.Load() // ours: only we write it
	// The tail load is the acquire: every completion the kernel wrote
	// before storing the tail is visible after it.
	n := 0
	for ; q.Entries[head&q.Mask].UserData != 0 && n < len(q.Entries); head++ {
		fn(q.Entries[head&q.Mask]) // copied out (fn gets a copy)...
		n++
	}
	if n > 0 {
		q.Head.Store(head) // ...before the slots go back to the kernel
	}
	return n
}
