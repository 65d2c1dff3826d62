package await

import (
	executor "asyncworkbook/phase1-executor"
	"asyncworkbook/phases/check"
)

// The check import is here for check.TODO only. This line keeps it in use
// after you delete the last check.TODO() line, so the file still compiles;
// delete it (and the import) when you are done, if you like.
var _ = check.TODO

// Await polls f until it is ready and returns its value. While f is
// Pending, it suspends the coroutine: the task's Poll returns Pending, and
// the next poll of the task resumes right here. See README.md.
func Await[T any](a *Awaiter, f executor.Future[T]) T {
	check.TODO() // delete this line, then write Await
	var zero T
	return zero
}

// Poll resumes the coroutine (creating it on the first poll, with
// iter.Pull) until it suspends in an Await (Pending) or fn returns
// (Ready).
func (f *asyncFuture[T]) Poll(cx *executor.Context) executor.Poll[T] {
	check.TODO() // delete this line, then write Poll
	return executor.Pending[T]()
}

// Drop stops the coroutine if it is suspended in an Await.
func (f *asyncFuture[T]) Drop() {
	check.TODO() // delete this line, then write Drop
}
