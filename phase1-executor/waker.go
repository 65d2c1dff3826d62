package executor

import "asyncworkbook/phases/trace"

// Waker wakes one task: firing it asks the task's executor to poll the task
// again. A Waker is one pointer — cheap to copy, compare and store — and
// safe to fire from any goroutine, any number of times:
//
//   - fired while the task waits, it queues the task once;
//   - fired while the task is already queued, it does nothing more;
//   - fired while the task is being polled, the task is polled again after
//     that poll (the wakeup is never lost);
//   - fired after the task finished or was cancelled, it does nothing.
//
// The zero Waker wakes nothing.
type Waker struct {
	t *Task
}

// Wake fires the waker from any goroutine. The trace records the wake as
// coming from a goroutine outside the runtime; use WakeBy to say more, or
// Context.Wake from inside a poll.
func (w Waker) Wake() { w.WakeBy(trace.SourceGoroutine) }

// WakeBy fires the waker and tells the trace who fired it (a timer, an I/O
// completion...).
func (w Waker) WakeBy(src trace.Source) {
	if w.t != nil {
		w.t.wake(src, 0)
	}
}

// IsZero reports whether w is the zero Waker.
func (w Waker) IsZero() bool { return w.t == nil }

// WillWake reports whether w and o wake the same task. A future that is
// polled again keeps its stored waker when WillWake is true, and replaces
// it otherwise (the task may have been moved into a combinator).
func (w Waker) WillWake(o Waker) bool { return w.t == o.t }

// TaskID returns the id of the task w wakes, or 0 for the zero Waker.
func (w Waker) TaskID() uint64 {
	if w.t == nil {
		return 0
	}
	return w.t.id
}
