package executor

import (
	"sync"
	"time"

	"asyncworkbook/phases/trace"
)

// Sleep returns a future that is ready once d has passed since its first
// poll.
//
// This is the phase-1 timer: it arms a Go runtime timer whose callback
// fires the task's waker from the timer's goroutine — a wakeup from
// outside the executor, the case the executor's wake list and driver
// exist for. Phase 2 replaces it with an io_uring TIMEOUT, and phase 3
// with the executor's own timer wheel. Dropping the future stops the timer.
func Sleep(d time.Duration) Future[struct{}] { return &sleep{d: d} }

type sleep struct {
	d     time.Duration
	timer *time.Timer // executor goroutine only

	mu    sync.Mutex // guards fired and waker: the timer goroutine reads them
	fired bool
	waker Waker
}

func (s *sleep) Poll(cx *Context) Poll[struct{}] {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fired {
		return PollReady(struct{}{})
	}
	// Keep the newest waker: the future may have moved to another task
	// (handed to a combinator) since the last poll.
	s.waker = cx.WakerFor("timer")
	if s.timer == nil {
		s.timer = time.AfterFunc(s.d, s.fire)
	}
	return Pending[struct{}]()
}

// fire runs on the timer's goroutine.
func (s *sleep) fire() {
	s.mu.Lock()
	s.fired = true
	w := s.waker
	s.mu.Unlock()
	w.WakeBy(trace.SourceTimer)
}

// Drop stops the timer so an abandoned Sleep wakes nobody.
func (s *sleep) Drop() {
	if s.timer != nil {
		s.timer.Stop()
	}
}
