package joinhandle

import (
	executor "asyncworkbook/phase1-executor"
	"asyncworkbook/phases/check"
)

// The check import is here for check.TODO only. This line keeps it in use
// after you delete the last check.TODO() line, so the file still compiles;
// delete it (and the import) when you are done, if you like.
var _ = check.TODO

// Poll runs the task once: the executor calls it. See README.md for what
// it must do when the task was cancelled, when the future is Ready, and
// when the future panics.
func (t *task[T]) Poll(cx *executor.Context) executor.Poll[struct{}] {
	check.TODO() // delete this line, then write the task's Poll
	return executor.Pending[struct{}]()
}

// Poll yields the task's Result once it is done, and otherwise keeps the
// awaiting task's waker to be woken when it is.
func (h Handle[T]) Poll(cx *executor.Context) executor.Poll[executor.Result[T]] {
	check.TODO() // delete this line, then write the handle's Poll
	return executor.Pending[executor.Result[T]]()
}

// Cancel stops the task, from any goroutine, and reports whether it will
// now never complete: false means it had already finished.
func (h Handle[T]) Cancel() bool {
	check.TODO() // delete this line, then write Cancel
	return false
}
