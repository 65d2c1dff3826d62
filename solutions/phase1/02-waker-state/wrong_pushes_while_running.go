//go:build wrong && wrong_pushes_while_running

// This is a WRONG answer, kept to prove the tests reject it
// (go test -tags wrong,wrong_pushes_while_running ./solutions/phase1/02-waker-state/ must fail).
//
// The wrong idea: "a wake means push" — Wake returns push=true whenever
// it set Scheduled, also while the task is running. The task is then in
// the run queue while it is being polled, and the executor re-queues it
// after the poll as well: polled twice for one wake, or at the same time
// on two threads.

package wakerstate

// Wake records a wake and reports whether the caller must push the task.
func (s *State) Wake() (push bool) {
	for {
		old := s.word.Load()
		if old&(Scheduled|Completed) != 0 {
			return false
		}
		if s.word.CompareAndSwap(old, old|Scheduled) {
			return true
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
