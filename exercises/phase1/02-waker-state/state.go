package wakerstate

import "asyncworkbook/phases/check"

// The check import is here for check.TODO only. This line keeps it in use
// after you delete the last check.TODO() line, so the file still compiles;
// delete it (and the import) when you are done, if you like.
var _ = check.TODO

// Wake records a wake, from any goroutine, and reports whether the caller
// must push the task on the run queue (only when it was idle). See
// README.md for what each state does with a wake.
func (s *State) Wake() (push bool) {
	check.TODO() // delete this line, then write Wake
	return false
}

// StartPoll moves a task the executor took from the run queue from
// Scheduled to Running.
func (s *State) StartPoll() {
	check.TODO() // delete this line, then write StartPoll
}

// EndPoll records the end of a poll and reports whether the task must go
// back on the run queue (a wake came during a poll that returned Pending).
// A Ready poll leaves the word Completed.
func (s *State) EndPoll(ready bool) (requeue bool) {
	check.TODO() // delete this line, then write EndPoll
	return false
}
