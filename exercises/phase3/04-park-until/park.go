// Package parkuntil is exercise phase3/04-park-until: park the executor
// until its next deadline, and wake it from another goroutine only when
// it really sleeps. Read README.md first.
package parkuntil

import (
	"sync/atomic"

	"asyncworkbook/phases/check"
)

// The check import is here for check.TODO only. This line keeps it in use
// after you delete the last check.TODO() line, so the file still compiles;
// delete it (and the import) when you are done, if you like.
var _ = check.TODO

// Parker is the executor's side of parking.
type Parker struct {
	Kernel   *Kernel
	Inbox    *Inbox
	Clock    *Clock
	Timers   *Timers
	sleeping atomic.Bool
}

// Wake hands task to the executor from any goroutine.
func (p *Parker) Wake(task string) {
	check.TODO() // delete this line and write Wake
}

// Park sleeps until a Wake, or until the next timer's deadline, with one
// kernel wait, and returns the kernel's reason ("work" if the inbox was
// not empty, "deadline" if a timer was already due). Executor goroutine.
func (p *Parker) Park() string {
	check.TODO() // delete this line and write Park
	return ""
}
