//go:build wrong && wrong_output_beats_cancel

// This is a WRONG answer, kept to prove the tests reject it
// (go test -tags wrong,wrong_output_beats_cancel ./solutions/phase1/05-join-handle/ must fail).
//
// The wrong idea: "the output is there: deliver it". A Cancel that
// returned true during the last poll promised the task would not
// complete; finish must honour it.

package joinhandle

import (
	"runtime/debug"

	executor "asyncworkbook/phase1-executor"
)

// Poll runs the task once: the executor calls it.
func (t *task[T]) Poll(cx *executor.Context) executor.Poll[struct{}] {
	t.mu.Lock()
	if t.cancelled {
		t.mu.Unlock()
		t.dropFuture()
		t.finish(cx, executor.Result[T]{Err: executor.ErrCancelled})
		return executor.PollReady(struct{}{})
	}
	t.self = cx.Waker() // for a Cancel from another goroutine
	t.mu.Unlock()

	v, ready, perr := t.pollFuture(cx)
	switch {
	case perr != nil:
		t.fut = nil
		t.finish(cx, executor.Result[T]{Err: perr})
	case ready:
		t.fut = nil
		t.finish(cx, executor.Result[T]{Value: v})
	default:
		return executor.Pending[struct{}]()
	}
	return executor.PollReady(struct{}{})
}

// pollFuture polls the future, turning a panic into a *PanicError.
func (t *task[T]) pollFuture(cx *executor.Context) (v T, ready bool, perr *executor.PanicError) {
	defer func() {
		if r := recover(); r != nil {
			perr = &executor.PanicError{Task: cx.TaskID(), Value: r, Stack: debug.Stack()}
		}
	}()
	v, ready = t.fut.Poll(cx).Value()
	return v, ready, nil
}

// dropFuture lets go of the future of a cancelled task.
func (t *task[T]) dropFuture() {
	if d, ok := t.fut.(executor.Dropper); ok {
		d.Drop()
	}
	t.fut = nil
}

// finish publishes the outcome and wakes whoever awaits the handle. A
// Cancel that got in before wins: Cancel promised the task would not
// complete.
func (t *task[T]) finish(cx *executor.Context, r executor.Result[T]) {
	t.mu.Lock()
	t.result, t.done = r, true
	w := t.awaiter
	t.awaiter = executor.Waker{}
	t.mu.Unlock()
	cx.Wake(w) // the zero Waker wakes nobody
}

// Poll yields the task's Result once it is done, and otherwise keeps the
// awaiting task's waker to be woken when it is.
func (h Handle[T]) Poll(cx *executor.Context) executor.Poll[executor.Result[T]] {
	t := h.t
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.done {
		return executor.PollReady(t.result)
	}
	t.awaiter = cx.WakerFor("join handle")
	return executor.Pending[executor.Result[T]]()
}

// Cancel stops the task, from any goroutine, and reports whether it will
// now never complete: false means it had already finished.
func (h Handle[T]) Cancel() bool {
	t := h.t
	t.mu.Lock()
	if t.done {
		t.mu.Unlock()
		return t.result.Err == executor.ErrCancelled
	}
	t.cancelled = true
	w := t.self
	t.mu.Unlock()
	// Get the task polled once more so it drops its future on the
	// executor's goroutine. Never polled yet: it is queued already.
	w.Wake()
	return true
}
