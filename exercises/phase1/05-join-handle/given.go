// Package joinhandle is exercise phase1/05-join-handle: a join handle
// that yields a task's output, cancels it, and turns a panic in it into
// an error.
package joinhandle

import (
	"sync"

	executor "asyncworkbook/phase1-executor"
)

// task wraps a future for Spawn. It is itself the future the executor
// polls (see Poll in handle.go): the executor only ever sees a
// Future[struct{}], and everything about the output, cancelling and
// panics happens here.
type task[T any] struct {
	fut executor.Future[T] // executor goroutine only; nil once dropped or done

	// Cancel may be called from any goroutine: mu guards the rest.
	mu        sync.Mutex
	result    executor.Result[T] // final once done is set
	done      bool               // the outcome is in result; the task will never run again
	cancelled bool               // Cancel was called before the task was done
	self      executor.Waker     // this task's own waker, kept at each poll, for Cancel
	awaiter   executor.Waker     // the task that awaits the handle, if any
}

// Handle is a spawned task's join handle: a future yielding the task's
// Result, and the way to cancel it. Poll it from tasks of the executor
// the task runs on; Cancel from anywhere.
type Handle[T any] struct {
	t *task[T]
}

// Spawn runs f as a new task on ex and returns its handle.
func Spawn[T any](ex *executor.Executor, f executor.Future[T]) Handle[T] {
	t := &task[T]{fut: f}
	// Our task reports its outcome through our Handle, not the executor's.
	executor.Spawn(ex, executor.Future[struct{}](t), executor.WithName("spawned")).Detach()
	return Handle[T]{t: t}
}

var (
	_ executor.Future[struct{}]             = (*task[int])(nil)
	_ executor.Future[executor.Result[int]] = Handle[int]{}
)
