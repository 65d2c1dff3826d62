package wakerstate

import "asyncworkbook/phases/check"

// Wake records a wake, from any goroutine, and reports whether the caller
// must push the task on the run queue (only when it was idle). See
// README.md for what each state does with a wake.
func (s *State) Wake() (push bool) {
	check.TODO() // delete this line and write Wake
	return false
}

// StartPoll moves a task the executor took from the run queue from
// Scheduled to Running.
func (s *State) StartPoll() {
	check.TODO() // delete this line and write StartPoll
}

// EndPoll records the end of a poll and reports whether the task must go
// back on the run queue (a wake came during a poll that returned Pending).
// A Ready poll leaves the word Completed.
func (s *State) EndPoll(ready bool) (requeue bool) {
	check.TODO() // delete this line and write EndPoll
	return false
}
