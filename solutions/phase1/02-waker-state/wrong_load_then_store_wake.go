//go:build wrong && wrong_load_then_store_wake

// This is a WRONG answer, kept to prove the tests reject it
// (go test -tags wrong,wrong_load_then_store_wake ./solutions/phase1/02-waker-state/ must fail).
//
// The wrong idea: "Load, decide, Store" in Wake. Two wakers that both
// load the idle word both store Scheduled and both push the task: it sits
// in the run queue twice. Only CompareAndSwap notices that the word
// changed between the load and the write.

package wakerstate

// Wake records a wake and reports whether the caller must push the task.
func (s *State) Wake() (push bool) {
	old := s.word.Load()
	if old&(Scheduled|Completed) != 0 {
		return false
	}
	s.word.Store(old | Scheduled)
	return old&Running == 0
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
