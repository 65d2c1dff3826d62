// Package cancelaccept is exercise phase2/06-cancel-safe-accept: an
// accept future that never leaks a connection, however it is dropped.
// Read README.md first; the interface is in given.go.
package cancelaccept

import (
	executor "asyncworkbook/phase1-executor"
	"asyncworkbook/phases/check"
)

// The check import is here for check.TODO only. This line keeps it in use
// after you delete the last check.TODO() line, so the file still compiles;
// delete it (and the import) when you are done, if you like.
var _ = check.TODO

// Accept returns a future that accepts one connection on the listening
// socket lfd with one OpAccept, and yields the new connection's
// descriptor — which the caller then owns — or the error the kernel
// reported.
func Accept(s Submitter, lfd int32) executor.Future[executor.Result[int32]] {
	return &acceptFuture{s: s, lfd: lfd}
}

type acceptFuture struct {
	s   Submitter
	lfd int32

	// Add the state you need between polls.
}

// Poll implements executor.Future.
func (f *acceptFuture) Poll(cx *executor.Context) executor.Poll[executor.Result[int32]] {
	check.TODO() // delete this line, then write Poll
	return executor.Pending[executor.Result[int32]]()
}

// Drop implements executor.Dropper: the executor calls it when it
// abandons the future before it was Ready (its task was cancelled).
func (f *acceptFuture) Drop() {
	check.TODO() // delete this line, then write Drop
}
