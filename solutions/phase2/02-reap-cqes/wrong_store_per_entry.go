//go:build wrong && wrong_store_per_entry

// This is a WRONG answer, kept to prove the tests reject it
// (go test -tags wrong,wrong_store_per_entry ./solutions/phase2/02-reap-cqes/ must fail).
//
// The wrong idea: release each slot as soon as it is copied, one head
// store per completion. Correct order, but each store is a write the
// kernel's CPU must see: a batch of 32 completions costs 32 stores
// instead of one.

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
		fn(q.Entries[head&q.Mask]) // copied out (fn gets a copy)...
		n++
		q.Head.Store(head + 1)
	}
	return n
}
