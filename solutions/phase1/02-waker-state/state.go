//go:build !wrong

package wakerstate

// Wake records a wake, from any goroutine, and reports whether the caller
// must push the task on the run queue (only when it was idle).
func (s *State) Wake() (push bool) {
	for {
		old := s.word.Load()
		if old&(Scheduled|Completed) != 0 {
			return false // already queued (or will be), or finished
		}
		if s.word.CompareAndSwap(old, old|Scheduled) {
			// Idle: this call owns the single push. Running: the
			// executor re-queues the task when the poll ends.
			return old&Running == 0
		}
	}
}

// StartPoll moves a task the executor took from the run queue from
// Scheduled to Running.
func (s *State) StartPoll() {
	for {
		old := s.word.Load()
		if s.word.CompareAndSwap(old, (old&^Scheduled)|Running) {
			return
		}
	}
}

// EndPoll records the end of a poll and reports whether the task must go
// back on the run queue (a wake came during a poll that returned Pending).
func (s *State) EndPoll(ready bool) (requeue bool) {
	for {
		old := s.word.Load()
		if ready {
			if s.word.CompareAndSwap(old, Completed) {
				return false
			}
			continue
		}
		if s.word.CompareAndSwap(old, old&^Running) {
			return old&Scheduled != 0
		}
	}
}
