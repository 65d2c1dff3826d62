package scheduling

import (
	"sync/atomic"
	"time"

	executor "asyncworkbook/phase1-executor"
)

// preempter is how a running slice learns, without reading the clock,
// that its time is up: one word that the slice's timer sets.
//
// # The word
//
//	bits 63..1  the slice's generation
//	bit 0       fired: the timer of that generation went off
//
// arm stores gen<<1 for a new slice (executor goroutine); the timer's
// callback, on the Go runtime's timer goroutine, compare-and-swaps
// gen<<1 → gen<<1|1 with the generation it was armed with, so a timer of
// an earlier slice that fires late cannot preempt the next one (its CAS
// fails: the generation moved on). NeedPreempt is one atomic load and a
// test of bit 0 — about a nanosecond, no clock, no system call.
//
// Go's atomics are sequentially consistent: once the callback's CAS
// happens, the executor's next load sees it.
type preempter struct {
	word atomic.Uint64
	gen  uint64 // executor goroutine only

	manual bool        // WithoutPreemptTimer: no timer; force and tests flip the bit
	timer  *time.Timer // the running slice's timer; executor goroutine only
	ring   *ringSignal // NewRuntime on Linux: the slice timer on a second ring instead (preempt_ring_linux.go)

	// The running slice (executor goroutine only): its end, whether its
	// timer is armed yet (see "Arming late"), whether a slice runs.
	end     time.Duration
	armed   bool
	inSlice bool
}

// fired reports whether the running slice has been told to stop.
func (p *preempter) fired() bool {
	return p.word.Load()&1 != 0 || (p.ring != nil && p.ring.fired())
}

// # Arming late
//
// A slice's timer is armed at the first NeedPreempt of the slice, not
// when the slice starts: most slices are made of short polls that never
// ask (Pop reads the clock and ends them on time), and arming costs a
// system call with either signal (an io_uring_enter on the second ring;
// the Go timer's wakeup of an idle P). So a task that never asks never
// pays, and an idle executor with one timer enters the kernel only to
// park. The late timer is set for what is left of the slice.

// arm starts a new generation for a slice ending at end (a reading of
// the scheduler's clock); its timer is armed later, by armLate.
func (p *preempter) arm(end time.Duration) {
	p.gen++
	p.word.Store(p.gen << 1)
	p.end, p.armed, p.inSlice = end, p.manual, true
}

// armLate arms the running slice's timer for what is left of it, and
// reports whether the slice is already over. Each slice gets its own Go
// timer whose callback carries its generation: a timer re-armed with
// Reset could not tell a late callback of the last slice from its own.
func (p *preempter) armLate(clock Clock) (over bool) {
	if !p.inSlice {
		return false // no slice runs (a question asked outside a poll)
	}
	left := p.end - clock.Now()
	if left <= 0 {
		return true
	}
	p.armed = true
	if p.ring != nil {
		p.ring.arm(left)
		return false
	}
	// The callback runs on a goroutine of the Go runtime's timers. Its
	// CAS fails if the executor has moved on to another generation.
	g := p.gen
	p.timer = time.AfterFunc(left, func() { p.word.CompareAndSwap(g<<1, g<<1|1) })
	return false
}

// force sets the bit for the running generation (executor goroutine: a
// latency queue woke up).
func (p *preempter) force() { p.word.Store(p.gen<<1 | 1) }

// disarm stops the timer; a callback already running finds the
// generation moved on at the next arm and its CAS fails.
func (p *preempter) disarm() {
	if p.timer != nil {
		p.timer.Stop()
		p.timer = nil
	}
	p.gen++
	p.word.Store(p.gen << 1)
	p.inSlice = false
}

// NeedPreempt reports whether the running task should give the CPU back:
// its queue's slice is over (the slice timer fired, or a latency queue
// woke), or the slice has polled its budget of tasks. It reads a few
// words of memory: no clock, no system call — except at its first call
// in a slice, which reads the clock once and arms the slice's timer
// ("Arming late" above). Executor goroutine only.
func (s *Scheduler) NeedPreempt() bool {
	p := &s.preempt
	if p.word.Load()&1 != 0 || s.slicePolls >= s.budget {
		return true
	}
	if !p.armed {
		return p.armLate(s.clock) // the slice's first question: one clock read
	}
	return p.ring != nil && p.ring.fired()
}

// PreemptSignal names what tells a long poll its slice is over: a Go
// timer, or an io_uring TIMEOUT on a second ring.
func (s *Scheduler) PreemptSignal() string {
	switch {
	case s.preempt.manual:
		return "none (WithoutPreemptTimer)"
	case s.preempt.ring != nil:
		return s.preempt.ring.kind()
	}
	return "Go timer"
}

// PreemptEnters counts the system calls the preemption signal made: the
// second ring's io_uring_enter calls (one per slice), 0 with a Go timer.
func (s *Scheduler) PreemptEnters() uint64 {
	if s.preempt.ring == nil {
		return 0
	}
	return s.preempt.ring.enters()
}

// PreemptRingFlags returns the IORING_SETUP_* flags the preemption
// signal's second ring was set up with, or false when the signal is not
// a ring (or the ring is closed). That ring's CQ is read without entering
// the kernel, so it must never get DEFER_TASKRUN: phase 4 checks.
func (s *Scheduler) PreemptRingFlags() (uint32, bool) {
	if s.preempt.ring == nil {
		return 0, false
	}
	return s.preempt.ring.setupFlags()
}

// close releases the preemption ring, if any.
func (p *preempter) close() {
	p.disarm()
	if p.ring != nil {
		p.ring.close()
		p.ring = nil
	}
}

// YieldIfNeeded is what a long-running task calls between pieces of work:
// if NeedPreempt says so, it wakes the task (it goes to the back of its
// queue), marks the slice as ended by a yield, and returns true — the
// caller then returns Pending at once. Otherwise it returns false and the
// task carries on. For hand-written futures.
func (s *Scheduler) YieldIfNeeded(cx *executor.Context) bool {
	if !s.NeedPreempt() {
		return false
	}
	s.stop = Yielded
	s.obs.yielded(cx.TaskID())
	cx.Wake(cx.WakerFor("yield (itself)"))
	return true
}

// MaybeYield returns a future for coroutine-style tasks: Await on it
// returns at once when NeedPreempt is false, and otherwise yields once
// (the task goes to the back of its queue) and returns on the next poll.
//
//	for chunk := range work {
//		process(chunk)
//		executor.Await(a, s.MaybeYield())
//	}
func (s *Scheduler) MaybeYield() executor.Future[struct{}] { return &maybeYield{s: s} }

type maybeYield struct {
	s       *Scheduler
	yielded bool
}

// Poll yields once if NeedPreempt says so, and is ready otherwise.
func (m *maybeYield) Poll(cx *executor.Context) executor.Poll[struct{}] {
	if m.yielded || !m.s.YieldIfNeeded(cx) {
		return executor.PollReady(struct{}{})
	}
	m.yielded = true
	return executor.Pending[struct{}]()
}
