//go:build wrong && wrong_less_than_wraps

// This is a WRONG answer, kept to prove the tests reject it
// (go test -tags wrong,wrong_less_than_wraps ./solutions/phase2/02-reap-cqes/ must fail).
//
// The wrong idea: "head < tail" as the loop test. The indexes are
// free-running uint32 counters: when the tail has wrapped past 2^32 and
// the head has not, tail < head, and Reap finds nothing to reap.

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
	tail := q.Tail.Load()
	n := 0
	for ; head < tail; head++ {
		fn(q.Entries[head&q.Mask]) // copied out (fn gets a copy)...
		n++
	}
	if n > 0 {
		q.Head.Store(head) // ...before the slots go back to the kernel
	}
	return n
}
