//go:build wrong && wrong_wakes_the_completed

// This is a WRONG answer, kept to prove the tests reject it
// (go test -tags wrong,wrong_wakes_the_completed ./solutions/phase1/02-waker-state/ must fail).
//
// The wrong idea: Wake forgets the Completed bit: a wake after the task
// finished queues it again, and the executor polls a finished future.

package wakerstate

// Wake records a wake and reports whether the caller must push the task.
func (s *State) Wake() (push bool) {
	for {
		old := s.word.Load()
		if old&Scheduled != 0 {
			return false
		}
		if s.word.CompareAndSwap(old, old|Scheduled) {
			return old&Running == 0
		}
	}
}

// StartPoll moves the task from Scheduled to Running.
func (s *State) StartPoll() {
	for {
		old := s.word.Load()
		if s.word.CompareAndSwap(old, (old&^Scheduled)|Running) {
			return
		}
	}
}

// EndPoll records the end of a poll.
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
