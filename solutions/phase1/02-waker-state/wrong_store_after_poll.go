//go:build wrong && wrong_store_after_poll

// This is a WRONG answer, kept to prove the tests reject it
// (go test -tags wrong,wrong_store_after_poll ./solutions/phase1/02-waker-state/ must fail).
//
// The wrong idea: "when a poll returns Pending, the task is idle again",
// written as a plain Store of the idle word. A waker that fired during
// the poll had set Scheduled (and, rightly, not pushed the task, since it
// was running); the Store wipes that bit out and EndPoll reports nothing
// to re-queue. The wake is lost: the task waits forever for a wake that
// already happened. Wake and StartPoll are correct here.

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

// EndPoll records the end of a poll — and forgets wakes that came during it.
func (s *State) EndPoll(ready bool) (requeue bool) {
	if ready {
		s.word.Store(Completed)
		return false
	}
	s.word.Store(0)
	return false
}
