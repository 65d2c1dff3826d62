// Package await is exercise phase1/06-await: async functions as
// coroutines (iter.Pull), with Await suspending them while a future is
// Pending.
package await

import executor "asyncworkbook/phase1-executor"

// Awaiter is handed to an Async function; pass it to Await. It is only
// valid inside that function.
type Awaiter struct {
	// cx is the Context of the poll that resumed the coroutine; Poll sets
	// it before resuming, and clears it after.
	cx *executor.Context
	// yield suspends the coroutine and returns to Poll (it is iter.Pull's
	// yield). It returns false when the coroutine is being stopped.
	yield func(struct{}) bool
}

// Async returns a future that runs fn as a coroutine: each Poll resumes
// fn until it finishes or suspends in an Await.
func Async[T any](fn func(a *Awaiter) T) executor.Future[T] {
	return &asyncFuture[T]{fn: fn}
}

type asyncFuture[T any] struct {
	fn   func(a *Awaiter) T
	a    Awaiter
	next func() (struct{}, bool) // resumes the coroutine; nil before the first poll and once it ended
	stop func()                  // stops the coroutine; nil when there is none
	out  T                       // fn's result
	done bool                    // fn returned: Poll returned Ready
}

// stopped is the panic value that unwinds a coroutine being stopped; the
// coroutine's own top level swallows it.
type stopped struct{}

var (
	_ executor.Future[int] = (*asyncFuture[int])(nil)
	_ executor.Dropper     = (*asyncFuture[int])(nil)
)
