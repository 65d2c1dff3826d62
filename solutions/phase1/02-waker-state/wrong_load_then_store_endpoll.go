//go:build wrong && wrong_load_then_store_endpoll

// This is a WRONG answer, kept to prove the tests reject it
// (go test -tags wrong,wrong_load_then_store_endpoll ./solutions/phase1/02-waker-state/ must fail).
//
// The wrong idea: EndPoll clears Running with a Store of the word it
// loaded. It keeps a Scheduled bit that was set before the load, so the
// simple tests pass; a wake that lands between the load and the store is
// wiped out, and the task is never polled again.

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
	old := s.word.Load()
	if ready {
		s.word.Store(Completed)
		return false
	}
	s.word.Store(old &^ Running)
	return old&Scheduled != 0
}
