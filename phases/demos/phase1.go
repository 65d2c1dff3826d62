package demos

import (
	"fmt"

	executor "asyncworkbook/phase1-executor"
	"asyncworkbook/phases/trace"
)

// Phase 1's demos run on the single-threaded executor in phase1-executor.
// Each one builds a fresh executor (traced when given a sink), runs one
// small scenario with BlockOn, checks the scenario's answer, and closes
// the executor. They prefer YieldNow, Chan and join handles to timers, so
// that the same demo gives the same events every run; the few that are
// about wakeups from another goroutine sleep for a millisecond or two.

// newExecutor returns an executor that reports to sink, or an untraced one
// when sink is nil.
func newExecutor(sink trace.Sink) *executor.Executor {
	if sink == nil {
		return executor.New()
	}
	return executor.New(executor.WithSink(sink))
}

// run runs main on a fresh executor, closes it, and returns main's error
// or, if main succeeded, what check says about its output.
func run[T any](sink trace.Sink, name string, main executor.Future[T], check func(T) error) error {
	ex := newExecutor(sink)
	defer ex.Close()
	v, err := executor.BlockOn(ex, main, executor.WithName(name))
	if err != nil {
		return err
	}
	return check(v)
}

// want returns a check that v equals w.
func want[T comparable](w T) func(T) error {
	return func(v T) error {
		if v != w {
			return fmt.Errorf("demo produced %v, want %v", v, w)
		}
		return nil
	}
}

// yields returns a coroutine future that yields n times, then returns v:
// a stand-in for work that waits n times for something.
func yields[T any](n int, v T) executor.Future[T] {
	return executor.Async(func(a *executor.Awaiter) T {
		for range n {
			executor.Await(a, executor.YieldNow())
		}
		return v
	})
}
