//go:build wrong && wrong_lifo

// This is a WRONG answer, kept to prove the tests reject it
// (go test -tags wrong,wrong_lifo ./solutions/phase1/03-run-loop/ must fail).
//
// The wrong idea: the run queue as a stack (take the newest task first).
// A task that keeps waking itself is always the newest: the others wait
// behind it. The run queue is first in, first out.

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

// Run runs the loop, newest task first.
func (ex *Executor) Run(main *Task) {
	for !main.Done() {
		ex.ready = append(ex.ready, ex.takeWoken()...)
		if len(ex.ready) == 0 {
			ex.park()
			continue
		}
		n := len(ex.ready)
		for i := 0; i < n && !main.Done(); i++ {
			t := ex.ready[len(ex.ready)-1]
			ex.ready = ex.ready[:len(ex.ready)-1]
			ex.poll(t)
		}
	}
}
