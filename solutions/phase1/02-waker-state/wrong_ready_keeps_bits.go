//go:build wrong && wrong_ready_keeps_bits

// This is a WRONG answer, kept to prove the tests reject it
// (go test -tags wrong,wrong_ready_keeps_bits ./solutions/phase1/02-waker-state/ must fail).
//
// The wrong idea: EndPoll(ready) adds Completed to the word instead of
// making the word exactly Completed: a wake that came during the last
// poll leaves Scheduled set on a finished task.

package wakerstate

// Wake records a wake and reports whether the caller must push the task.
func (s *State) Wake() (push bool) {
	for {
		old := s.word.Load()
		if old&(Scheduled|Completed) != 0 {
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
			if s.word.CompareAndSwap(old, (old&^Running)|Completed) {
				return false
			}
			continue
		}
		if s.word.CompareAndSwap(old, old&^Running) {
			return old&Scheduled != 0
		}
	}
}
