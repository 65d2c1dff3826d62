package executor

import "asyncworkbook/phases/trace"

// Context is what a future receives when it is polled: the waker of the
// task being polled, and the executor running it.
//
// A Context is valid only during the Poll call it was passed to: the
// executor reuses one Context for every poll, so a future that keeps cx
// past its Poll sees another task's context. Keep cx.Waker() instead.
type Context struct {
	ex   *Executor
	task *Task
}

// Waker returns the waker of the task being polled. A future calls it when
// it is about to return Pending, and hands the waker to whoever will fire
// it. Use WakerFor to name that holder in the trace.
func (cx *Context) Waker() Waker { return cx.WakerFor("") }

// WakerFor returns the task's waker, as Waker does, and records in the
// trace that holder (a timer, a channel, "join handle T3") now holds it.
// The trace uses this to tell a Pending that will be woken from a lost
// wakeup.
func (cx *Context) WakerFor(holder string) Waker {
	if ex := cx.ex; ex.sink != nil {
		e := ex.event(trace.WakerRegistered, cx.task.id)
		e.Holder = holder
		ex.emit(e)
	}
	return Waker{t: cx.task}
}

// TaskID returns the id of the task being polled.
func (cx *Context) TaskID() uint64 { return cx.task.id }

// Executor returns the executor polling the task.
func (cx *Context) Executor() *Executor { return cx.ex }

// Wake fires w from inside a poll. Unlike w.Wake, it knows it runs on the
// executor's goroutine: when w's task lives on this executor it is queued
// directly, without touching the cross-goroutine wake list, and the trace
// records the task being polled as the one who woke it.
func (cx *Context) Wake(w Waker) {
	t := w.t
	if t == nil {
		return
	}
	if t.ex != cx.ex {
		t.wake(trace.SourceTask, cx.task.id)
		return
	}
	cx.ex.wakeLocal(t, trace.SourceTask, cx.task.id)
}
