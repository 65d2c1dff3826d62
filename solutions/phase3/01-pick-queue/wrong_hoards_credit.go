//go:build wrong && wrong_hoards_credit

// This is a WRONG answer, kept to prove the tests reject it
// (go test -tags wrong,wrong_hoards_credit ./solutions/phase3/01-pick-queue/ must fail).
//
// The wrong idea: "a queue that was idle did not use its share, so let it
// keep its low vruntime". It then hoards credit: idle for half a second,
// it runs alone for half a second when it comes back, and the queues that
// were busy all along starve.

// Package pickqueue is exercise phase3/01-pick-queue.
package pickqueue

import "time"

// Charge adds ran, scaled by shares.
func Charge(q *Queue, ran time.Duration) {
	q.Vruntime += uint64(ran) * 1000 / uint64(q.Shares)
}

// Activate does nothing: the queue keeps its old vruntime.
func Activate(q *Queue, all []*Queue) {}

// Pick returns the least vruntime.
func Pick(all []*Queue, last *Queue) *Queue {
	var best *Queue
	for _, q := range all {
		if q.Ready > 0 && (best == nil || q.Vruntime < best.Vruntime || (q.Vruntime == best.Vruntime && best == last)) {
			best = q
		}
	}
	return best
}
