// Package readfuture is exercise phase2/04-read-future: an asynchronous
// ReadAt written by hand, over a submission interface. Read README.md
// first; the interface is in given.go.
package readfuture

import (
	executor "asyncworkbook/phase1-executor"
	"asyncworkbook/phases/check"
)

// The check import is here for check.TODO only. This line keeps it in use
// after you delete the last check.TODO() line, so the file still compiles;
// delete it (and the import) when you are done, if you like.
var _ = check.TODO

// ReadAt returns a future that reads up to len(buf) bytes at offset off of
// fd with one OpRead, and yields the count (fewer than len(buf): a short
// read; 0: end of file) or the error the kernel reported.
func ReadAt(s Submitter, fd int32, buf []byte, off int64) executor.Future[executor.Result[int]] {
	return &readFuture{s: s, fd: fd, buf: buf, off: off}
}

type readFuture struct {
	s   Submitter
	fd  int32
	buf []byte
	off int64

	// Add the state you need between polls.
}

// Poll implements executor.Future.
func (f *readFuture) Poll(cx *executor.Context) executor.Poll[executor.Result[int]] {
	check.TODO() // delete this line, then write Poll
	return executor.Pending[executor.Result[int]]()
}

// Drop implements executor.Dropper: the executor calls it when it
// abandons the future before it was Ready (its task was cancelled).
func (f *readFuture) Drop() {
	check.TODO() // delete this line, then write Drop
}
