package check

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// Storm is a wake storm: goroutines outside the code under test that fire
// a wake again and again, while that code decides whether to park, ends a
// poll or re-queues a task. It is the bounded-stress half of the toolkit
// (Seam is the deterministic half): it widens every window in which a
// wake from another thread can land, and each goroutine yields between
// wakes so the storm also runs on a single CPU.
type Storm struct {
	stop  chan struct{}
	wg    sync.WaitGroup
	wakes atomic.Int64
	once  sync.Once
	mu    sync.Mutex
	first any // the first panic of a storm goroutine
}

// WakeStorm starts n goroutines, each calling wake in a loop (at most
// each times; each <= 0 means until Stop). A panic in wake stops that
// goroutine and is re-raised by Stop.
func WakeStorm(n, each int, wake func()) *Storm {
	s := &Storm{stop: make(chan struct{})}
	for range n {
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer func() {
				if r := recover(); r != nil {
					s.mu.Lock()
					if s.first == nil {
						s.first = r
					}
					s.mu.Unlock()
				}
			}()
			for i := 0; each <= 0 || i < each; i++ {
				select {
				case <-s.stop:
					return
				default:
				}
				wake()
				s.wakes.Add(1)
				runtime.Gosched()
			}
		}()
	}
	return s
}

// Wakes returns how many wakes the storm fired so far.
func (s *Storm) Wakes() int64 { return s.wakes.Load() }

// Stop ends the storm, waits for its goroutines, and returns how many
// wakes were fired. It re-raises the first panic of a storm goroutine.
func (s *Storm) Stop() int64 {
	s.once.Do(func() { close(s.stop) })
	s.wg.Wait()
	s.mu.Lock()
	p := s.first
	s.mu.Unlock()
	if p != nil {
		panic(p)
	}
	return s.wakes.Load()
}
