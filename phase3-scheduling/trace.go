package scheduling

import (
	"fmt"
	"time"

	executor "asyncworkbook/phase1-executor"
	"asyncworkbook/phases/trace"
)

// observer reports the scheduler's decisions through its executor's trace
// sink: every slice picked (with every queue's vruntime and why the last
// one stopped) and ended, yields, preemptions, timers and parks — the
// scheduler decision log that the visualiser's queue view draws. ex is
// nil until the scheduler is attached to an executor (Attach, or
// NewRuntime); with no sink every hook costs one branch.
type observer struct {
	ex *executor.Executor
}

// Attach lets the scheduler trace through ex. NewRuntime calls it.
func (s *Scheduler) Attach(ex *executor.Executor) { s.obs.ex = ex }

func (o *observer) tracing() bool { return o.ex != nil && o.ex.Tracing() }

// QueuePositions returns every queue as the trace shows it.
func (s *Scheduler) QueuePositions() []trace.QueuePos {
	out := make([]trace.QueuePos, len(s.queues))
	for i, q := range s.queues {
		out[i] = trace.QueuePos{Name: trace.QueueName(q.name), Vruntime: q.vruntime, Shares: q.cur,
			Ready: q.Len(), Latency: int64(q.latency.max)}
	}
	return out
}

func (o *observer) picked(s *Scheduler, q *Queue, now, slice time.Duration) {
	if !o.tracing() {
		return
	}
	e := o.ex.NewEvent(trace.QueueSelected, 0)
	e.Name = trace.QueueName(q.name)
	e.Dur = int64(slice)
	e.Queues = trace.EncodeQueues(s.QueuePositions())
	if s.last != nil {
		e.Note = fmt.Sprintf("least vruntime; %s stopped: %s", trace.QueueName(s.last.name), s.lastWhy)
	} else {
		e.Note = "least vruntime"
	}
	o.ex.Emit(e)
}

func (o *observer) sliceEnded(s *Scheduler, q *Queue, now time.Duration, why Reason) {
	if !o.tracing() {
		return
	}
	e := o.ex.NewEvent(trace.SliceEnded, 0)
	e.Name = trace.QueueName(q.name)
	e.Dur = int64(now - s.sliceStart)
	e.Note = why.String()
	o.ex.Emit(e)
}

func (o *observer) preempted(running, woke *Queue) {
	if !o.tracing() {
		return
	}
	e := o.ex.NewEvent(trace.Preempted, 0)
	e.Name = trace.QueueName(running.name)
	e.Note = "latency queue " + trace.QueueName(woke.name) + " woke up"
	o.ex.Emit(e)
}

func (o *observer) yielded(task uint64) {
	if !o.tracing() {
		return
	}
	o.ex.Emit(o.ex.NewEvent(trace.Yielded, task))
}

func (o *observer) parked(in time.Duration, timed bool) {
	if !o.tracing() || !timed {
		return
	}
	e := o.ex.NewEvent(trace.ParkedUntil, 0)
	e.Dur = int64(in)
	e.Note = "next timer"
	o.ex.Emit(e)
}

func (o *observer) timerArmed(task uint64, in time.Duration) {
	if !o.tracing() {
		return
	}
	e := o.ex.NewEvent(trace.TimerArmed, task)
	e.Dur = int64(in)
	o.ex.Emit(e)
}

func (o *observer) timerFired(task uint64) {
	if !o.tracing() {
		return
	}
	o.ex.Emit(o.ex.NewEvent(trace.TimerFired, task))
}

func (o *observer) timerCancelled(task uint64) {
	if !o.tracing() {
		return
	}
	o.ex.Emit(o.ex.NewEvent(trace.TimerCancelled, task))
}
