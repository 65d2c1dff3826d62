package scheduling

import (
	"time"

	executor "asyncworkbook/phase1-executor"
)

// observer reports the scheduler's decisions through its executor's trace
// sink. ex is nil until the scheduler is attached to an executor (Attach,
// or NewRuntime); with no sink every hook costs one branch.
type observer struct {
	ex *executor.Executor
}

// Attach lets the scheduler trace through ex. NewRuntime calls it.
func (s *Scheduler) Attach(ex *executor.Executor) { s.obs.ex = ex }

func (o *observer) tracing() bool { return o.ex != nil && o.ex.Tracing() }

func (o *observer) picked(s *Scheduler, q *Queue, now, slice time.Duration) {}

func (o *observer) sliceEnded(s *Scheduler, q *Queue, now time.Duration, why Reason) {}

func (o *observer) parked(deadline time.Duration, timed bool) {}

func (o *observer) timerArmed(task uint64, at time.Duration) {}

func (o *observer) timerFired(w executor.Waker) {}

func (o *observer) timerCancelled() {}
