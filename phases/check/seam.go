package check

import (
	"sync"
	"sync/atomic"
)

// Seam is a set of named points in given code where a test can run
// something of its own: the deterministic way to make a wake land exactly
// between a learner's load and store, or while a poll is ending. Given
// code calls At("point") at each seam; a test registers what should
// happen there with On or OnNth.
//
// A hook runs on the goroutine that reached the point, before At returns.
// While one hook runs, every At (from any goroutine) is a plain counter:
// a hook that calls learner code reaching the same seam does not recurse.
//
// The zero value is ready to use and has no hooks, so At costs a mutex
// and a map lookup: fine for exercises, not for a runtime's hot path.
// Safe for concurrent use.
type Seam struct {
	mu    sync.Mutex
	hooks map[string][]*hook
	hits  map[string]int
	busy  atomic.Bool // a hook is running: At only counts
}

type hook struct {
	nth   int // run at this hit of the point since the hook was added (from 1); 0: every hit
	fn    func()
	seen  int // hits of the point since the hook was added (not counting hits inside hooks)
	fired int
}

// At marks that execution reached point, and runs the hooks due there.
func (s *Seam) At(point string) {
	s.mu.Lock()
	if s.hits == nil {
		s.hits = map[string]int{}
	}
	s.hits[point]++
	if s.busy.Load() {
		s.mu.Unlock()
		return
	}
	var due []*hook
	for _, h := range s.hooks[point] {
		h.seen++
		if h.nth == 0 || h.nth == h.seen {
			h.fired++
			due = append(due, h)
		}
	}
	if len(due) > 0 {
		s.busy.Store(true)
	}
	s.mu.Unlock()
	if len(due) == 0 {
		return
	}
	defer s.busy.Store(false)
	for _, h := range due {
		h.fn()
	}
}

// On runs fn every time execution reaches point. The returned func
// removes the hook.
func (s *Seam) On(point string, fn func()) (off func()) { return s.OnNth(point, 0, fn) }

// OnNth runs fn when execution reaches point for the nth time since
// this call (from 1; hits inside a running hook do not count); n = 0
// means every time. The returned func removes the hook.
func (s *Seam) OnNth(point string, n int, fn func()) (off func()) {
	h := &hook{nth: n, fn: fn}
	s.mu.Lock()
	if s.hooks == nil {
		s.hooks = map[string][]*hook{}
	}
	s.hooks[point] = append(s.hooks[point], h)
	s.mu.Unlock()
	return func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		hs := s.hooks[point]
		for i, x := range hs {
			if x == h {
				s.hooks[point] = append(hs[:i:i], hs[i+1:]...)
				return
			}
		}
	}
}

// Hits returns how many times execution reached point.
func (s *Seam) Hits(point string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[point]
}

// Fired returns how many times hooks at point ran: a test asserts it is
// non-zero, so that an interleaving it meant to create really happened.
func (s *Seam) Fired(point string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, h := range s.hooks[point] {
		n += h.fired
	}
	return n
}

// Reset removes every hook and zeroes the counters.
func (s *Seam) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hooks, s.hits = nil, nil
}
