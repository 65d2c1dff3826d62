//go:build wrong && wrong_spins

// This is a WRONG answer, kept to prove the tests reject it
// (go test -tags wrong,wrong_spins ./solutions/phase1/03-run-loop/ must fail).
//
// The wrong idea: "an event loop is a loop: keep looking for work until
// main is done". It never parks. While every task waits for a wake from
// another goroutine, it looks at the inbox again and again, burning a CPU
// at 100% to do nothing — and on a busy machine it slows down the very
// goroutine that would wake it. It runs the tasks correctly (FIFO, wakes
// from other goroutines drained): only the tests with an idle period
// fail, by counting the loop's turns while there is nothing to do.

// Package runloop is exercise phase1/03-run-loop: the executor's loop.
package runloop

import "asyncworkbook/phases/trace"

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

// schedule pushes the task into the inbox; with no parking, nothing needs
// waking.
func (ex *Executor) schedule(t *Task) { ex.push(t) }

// Run spins until main is done.
func (ex *Executor) Run(main *Task) {
	for !main.Done() {
		ex.ready = append(ex.ready, ex.takeWoken()...)
		for len(ex.ready) > 0 && !main.Done() {
			t := ex.ready[0]
			ex.ready = ex.ready[1:]
			ex.poll(t)
		}
	}
}
