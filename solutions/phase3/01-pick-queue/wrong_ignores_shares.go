//go:build wrong && wrong_ignores_shares

// This is a WRONG answer, kept to prove the tests reject it
// (go test -tags wrong,wrong_ignores_shares ./solutions/phase3/01-pick-queue/ must fail).
//
// The wrong idea: "vruntime is the CPU time". Charge adds ran as it is,
// so a queue with twice the shares is picked no more often than the
// others.

// Package pickqueue is exercise phase3/01-pick-queue: pick the next task
// queue by virtual runtime, with an activation rule that neither hoards
// credit nor forgets debt.
package pickqueue

import "time"

// Charge adds ran of CPU time to q's virtual runtime, scaled by its
// shares: a queue with 500 shares that ran 1 ms gains 2 ms.
func Charge(q *Queue, ran time.Duration) {
	q.Vruntime += uint64(ran)
}

// Activate is called when q goes from idle to ready: its vruntime becomes
// max(its own, the least among the other ready queues). No ready queue:
// it keeps its own.
func Activate(q *Queue, all []*Queue) {
	floor, found := uint64(0), false
	for _, o := range all {
		if o != q && o.Ready > 0 && (!found || o.Vruntime < floor) {
			floor, found = o.Vruntime, true
		}
	}
	if found {
		q.Vruntime = max(q.Vruntime, floor)
	}
}

// Pick returns the ready queue with the least vruntime, or nil if none is
// ready. A tie goes to a queue other than last (equals take turns), then
// to the first in all.
func Pick(all []*Queue, last *Queue) *Queue {
	var best *Queue
	for _, q := range all {
		if q.Ready == 0 {
			continue
		}
		if best == nil || q.Vruntime < best.Vruntime || (q.Vruntime == best.Vruntime && best == last && q != last) {
			best = q
		}
	}
	return best
}
