//go:build wrong && wrong_unpark_only_if_parked

// This is a WRONG answer, kept to prove the tests reject it
// (go test -tags wrong,wrong_unpark_only_if_parked ./solutions/phase1/03-run-loop/ must fail).
//
// The wrong idea: "unpark costs something: only unpark a loop that is
// parked", with a flag the loop sets around park. A wake that lands
// after the loop found the inbox empty but before it set the flag sees
// "not parked", skips the unpark, and the loop then sleeps with the task
// in its inbox.

// Package runloop is exercise phase1/03-run-loop: the executor's loop.
package runloop

import (
	"sync/atomic"

	"asyncworkbook/phases/trace"
)

// Executor runs tasks on the goroutine that calls Run.
type Executor struct {
	base

	ready  []*Task
	parked atomic.Bool
}

// New returns an executor that reports to sink (nil: no tracing).
func New(sink trace.Sink) *Executor {
	ex := &Executor{}
	ex.init(sink)
	return ex
}

// schedule unparks the loop only if it looks parked.
func (ex *Executor) schedule(t *Task) {
	ex.push(t)
	if ex.parked.Load() {
		ex.unpark()
	}
}

// Run runs the loop.
func (ex *Executor) Run(main *Task) {
	for !main.Done() {
		ex.ready = append(ex.ready, ex.takeWoken()...)
		if len(ex.ready) == 0 {
			ex.parked.Store(true)
			ex.park()
			ex.parked.Store(false)
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
