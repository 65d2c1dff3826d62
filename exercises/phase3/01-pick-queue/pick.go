// Package pickqueue is exercise phase3/01-pick-queue: pick the next task
// queue by virtual runtime, with an activation rule that neither hoards
// credit nor forgets debt. Read README.md first.
package pickqueue

import (
	"time"

	"asyncworkbook/phases/check"
)

// The check import is here for check.TODO only. This line keeps it in use
// after you delete the last check.TODO() line, so the file still compiles;
// delete it (and the import) when you are done, if you like.
var _ = check.TODO

// Charge adds ran of CPU time to q's virtual runtime, scaled by its
// shares: a queue with 500 shares that ran 1 ms gains 2 ms.
func Charge(q *Queue, ran time.Duration) {
	check.TODO() // delete this line and write Charge
}

// Activate is called when q goes from idle to ready: its vruntime becomes
// max(its own, the least among the other ready queues). No ready queue:
// it keeps its own.
func Activate(q *Queue, all []*Queue) {
	check.TODO() // delete this line and write Activate
}

// Pick returns the ready queue with the least vruntime, or nil if none is
// ready. A tie goes to a queue other than last (equals take turns), then
// to the first in all.
func Pick(all []*Queue, last *Queue) *Queue {
	check.TODO() // delete this line and write Pick
	return nil
}
