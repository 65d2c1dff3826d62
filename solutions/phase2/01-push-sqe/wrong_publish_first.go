//go:build wrong && wrong_publish_first

// This is a WRONG answer, kept to prove the tests reject it
// (go test -tags wrong,wrong_publish_first ./solutions/phase2/01-push-sqe/ must fail).
//
// The wrong idea: "the order of two writes inside one function does not
// matter, the function is not done until both are". It matters to the
// other CPU. The moment the tail is stored, the kernel may load it and
// read the slot — which still holds whatever was there before (a zero
// entry on the first lap, an old request on later laps). The kernel then
// submits the wrong request, and the right one is never seen. The full
// check and the masking are right; the tests see the stale slot at the
// instant of the store, and the race detector reports the fill racing
// with the kernel's read.

// Package pushsqe is exercise phase2/01-push-sqe.
package pushsqe

// Push publishes the slot, then fills it.
func (q *SQ) Push(e Entry) bool {
	tail := q.Tail.Load()
	head := q.Head.Load()
	if tail-head == uint32(len(q.Entries)) {
		return false
	}
	q.Tail.Store(tail + 1)
	q.Entries[tail&q.Mask] = e
	return true
}
