//go:build wrong && wrong_parks_before_looking

// This is a WRONG answer, kept to prove the tests reject it
// (go test -tags wrong,wrong_parks_before_looking ./solutions/phase1/03-run-loop/ must fail).
//
// The wrong idea: decide to park from the run queue before looking in
// the inbox. Tasks that woke themselves during the last turn are in the
// inbox, not the run queue, so the loop parks every turn (it returns at
// once, on their unpark: one wasted park per turn, and one more lap of
// the loop for every wake).

// Package runloop is exercise phase1/03-run-loop: the executor's loop.
package runloop

import (
	"asyncworkbook/phases/trace"
)

// Executor runs tasks on the goroutine that calls Run.
type Executor struct {
	base

	ready []*Task
}

// New returns an executor that reports to sink (nil: no tracing).
func New(sink trace.Sink) *Executor {
	ex := &Executor{}
	ex.init(sink)
	return ex
}

// schedule hands a task to the loop and unparks it.
func (ex *Executor) schedule(t *Task) {
	ex.push(t)
	ex.unpark()
}

// Run runs the loop; it looks at the run queue before the inbox.
func (ex *Executor) Run(main *Task) {
	for !main.Done() {
		if len(ex.ready) == 0 {
			ex.park()
		}
		ex.ready = append(ex.ready, ex.takeWoken()...)
		n := len(ex.ready)
		for i := 0; i < n && !main.Done(); i++ {
			t := ex.ready[0]
			ex.ready[0] = nil
			ex.ready = ex.ready[1:]
			ex.poll(t)
		}
	}
}
