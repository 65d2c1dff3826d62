//go:build wrong && wrong_sum_overflows

// This is a WRONG answer, kept to prove the tests reject it
// (go test -tags wrong,wrong_sum_overflows ./solutions/phase2/01-push-sqe/ must fail).
//
// The wrong idea: "full when tail >= head + size". head + size wraps
// around 2^32 while tail has not yet: near the top of the index range the
// test says full when the queue is empty, or the reverse.

// Package pushsqe is exercise phase2/01-push-sqe: the push side of a
// submission ring.
package pushsqe

// Push puts e in the submission queue and publishes it to the kernel. It
// returns false, changing nothing, when the queue is full.
func (q *SQ) Push(e Entry) bool {
	// Only we write the tail: loading it reads our own value back. The
	// head is the kernel's: its atomic load also makes the slots it has
	// consumed ours to overwrite.
	tail := q.Tail.Load()
	head := q.Head.Load()
	// Unsigned subtraction counts the entries in flight even when the
	// indexes have wrapped around 2³².
	if tail >= head+uint32(len(q.Entries)) {
		return false
	}
	q.Entries[tail&q.Mask] = e // fill the slot first...
	q.Tail.Store(tail + 1)     // ...then publish it: the kernel may read it now
	return true
}
