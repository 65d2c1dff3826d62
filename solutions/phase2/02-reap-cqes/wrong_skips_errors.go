//go:build wrong && wrong_skips_errors

// This is a WRONG answer, kept to prove the tests reject it
// (go test -tags wrong,wrong_skips_errors ./solutions/phase2/02-reap-cqes/ must fail).
//
// The wrong idea: a negative result is "no completion", so skip it. It is
// a completion: the op failed with -errno, and the task waiting for it
// must be told, or it waits forever.

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
	for ; head != tail; head++ {
		if c := q.Entries[head&q.Mask]; c.Res >= 0 {
			fn(c)
			n++
		}
	}
	if n > 0 {
		q.Head.Store(head) // ...before the slots go back to the kernel
	}
	return n
}
