// Package runloop is exercise phase1/03-run-loop: the executor's loop.
// Read README.md first; the given half of the executor is in given.go.
package runloop

import (
	"asyncworkbook/phases/check"
	"asyncworkbook/phases/trace"
)

// The check import is here for check.TODO only. This line keeps it in use
// after you delete the last check.TODO() line, so the file still compiles;
// delete it (and the import) when you are done, if you like.
var _ = check.TODO

// Executor runs tasks on the goroutine that calls Run.
type Executor struct {
	base // given (given.go): the inbox, the parker, poll, tracing. Keep it.

	// Add the fields your loop needs here: a run queue, for a start.
}

// New returns an executor that reports to sink (nil: no tracing).
func New(sink trace.Sink) *Executor {
	ex := &Executor{}
	ex.init(sink)
	return ex
}

// schedule hands a task that must be polled to the loop. It is called
// from any goroutine (by Spawn, and by the first wake after a poll).
func (ex *Executor) schedule(t *Task) {
	check.TODO() // delete this line, then write schedule
}

// Run runs the loop on the calling goroutine until main is done.
func (ex *Executor) Run(main *Task) {
	check.TODO() // delete this line, then write Run
}
