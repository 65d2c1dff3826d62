//go:build !wrong

// Package runloop is exercise phase1/03-run-loop: the executor's loop.
package runloop

import "asyncworkbook/phases/trace"

// Executor runs tasks on the goroutine that calls Run.
type Executor struct {
	base // given (given.go): the inbox, the parker, poll, tracing. Keep it.

	ready []*Task // the run queue, oldest first; loop goroutine only
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
	ex.push(t)
	// The loop may be parked: wake it. If it is not parked yet, the
	// unpark stays in the parker and its next park returns at once.
	ex.unpark()
}

// Run runs the loop on the calling goroutine until main is done.
func (ex *Executor) Run(main *Task) {
	for !main.Done() {
		// Take what other goroutines woke, in the order they woke it.
		ex.ready = append(ex.ready, ex.takeWoken()...)
		if len(ex.ready) == 0 {
			// Nothing to do: sleep until a wake unparks us.
			ex.park()
			continue
		}
		// Poll the tasks that were ready when the turn started, first in
		// first out. Tasks they wake go to the inbox, for the next turn.
		n := len(ex.ready)
		for i := 0; i < n && !main.Done(); i++ {
			t := ex.ready[0]
			ex.ready[0] = nil
			ex.ready = ex.ready[1:]
			ex.poll(t)
		}
	}
}
