// Package pushsqe is exercise phase2/01-push-sqe: the push side of a
// submission ring. Read README.md first; the ring and the simulated
// kernel are in given.go.
package pushsqe

import "asyncworkbook/phases/check"

// The check import is here for check.TODO only. This line keeps it in use
// after you delete the last check.TODO() line, so the file still compiles;
// delete it (and the import) when you are done, if you like.
var _ = check.TODO

// Push puts e in the submission queue and publishes it to the kernel. It
// returns false, changing nothing, when the queue is full.
func (q *SQ) Push(e Entry) bool {
	check.TODO() // delete this line, then write Push
	return false
}
