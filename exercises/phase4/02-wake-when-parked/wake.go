// Package wake is exercise phase4/02-wake-when-parked: a channel between
// two executors whose sender wakes the receiver only when it waits, and
// never loses the wakeup. Read README.md first; chan.go is given.
package wake

import (
	executor "asyncworkbook/phase1-executor"
	"asyncworkbook/phases/check"
)

// The check import is here for check.TODO only. This line keeps it in use
// after you delete the last check.TODO() line, so the file still compiles;
// delete it (and the import) when you are done, if you like.
var _ = check.TODO

// Send publishes v and wakes the receiver if, and only if, it waits. It
// reports false, sending nothing, if the ring is full. Sender only.
func (c *Chan[T]) Send(v T) bool {
	check.TODO() // delete this line, then write Send
	return false
}

// Poll takes the next message, or leaves the receiver's waker and says it
// waits, without ever missing a message published meanwhile.
func (r *recv[T]) Poll(cx *executor.Context) executor.Poll[T] {
	check.TODO() // delete this line, then write Poll
	return executor.Pending[T]()
}
