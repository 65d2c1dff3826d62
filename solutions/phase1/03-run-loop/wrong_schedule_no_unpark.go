//go:build wrong && wrong_schedule_no_unpark

// This is a WRONG answer, kept to prove the tests reject it
// (go test -tags wrong,wrong_schedule_no_unpark ./solutions/phase1/03-run-loop/ must fail).
//
// The wrong idea: "the loop looks in the inbox every turn, so pushing is
// enough". Not when the loop is asleep: a task woken from another
// goroutine while the loop is parked sits in the inbox, and nobody
// unparks the loop to take it (a lost wakeup).

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

// schedule pushes the task — and never unparks the loop.
func (ex *Executor) schedule(t *Task) { ex.push(t) }

// Run runs the loop.
func (ex *Executor) Run(main *Task) {
	for !main.Done() {
		ex.ready = append(ex.ready, ex.takeWoken()...)
		if len(ex.ready) == 0 {
			ex.park()
			continue
		}
		n := len(ex.ready)
		for i := 0; i < n && !main.Done(); i++ {
			t := ex.ready[0]
			ex.ready[0] = nil
			ex.ready = ex.ready[1:]
			ex.poll(t)
		}
	}
}
