package scheduling

import (
	"fmt"
	"time"

	executor "asyncworkbook/phase1-executor"
)

// Scheduler is phase 3's executor.Scheduler: task queues that share the
// CPU by virtual runtime. It runs one queue at a time — the current queue
// — for a slice, and every Pop first asks whether that run should stop:
//
//	the queue ran dry                  → stop (reason RanDry)
//	a task yielded (YieldIfNeeded)     → stop (Yielded)
//	a latency queue woke up            → stop (Preempted)
//	the slice's time is up             → stop (SliceExpired)
//	the slice polled Budget tasks      → stop (BudgetSpent)
//
// and when it stops, the ready queue with the least virtual runtime runs
// next. The clock is read once per Pop and once per Push: the runtime of
// each poll is charged to its queue, and each task's wake → poll delay is
// recorded.
//
// Like every Scheduler it belongs to the executor's goroutine; only the
// preemption word (preempt.go) is touched by another goroutine, the
// slice timer's. Create one with NewScheduler.
type Scheduler struct {
	clock  Clock
	queues []*Queue
	def    *Queue
	ready  int // tasks in all queues

	cur        *Queue // the queue whose slice runs; nil between slices
	sliceStart time.Duration
	sliceEnd   time.Duration
	slicePolls int
	lastPop    time.Duration // runtime up to here is charged
	stop       Reason        // set during the slice: why it must end early
	floor      uint64        // vruntime of the last queue run: activation never goes below
	last       *Queue        // the queue whose slice ended last
	lastWhy    Reason        // and why

	slice  time.Duration // default slice length
	budget int           // polls per slice

	preempt preempter
	obs     observer // trace and decision log (trace.go)
	watch   watch    // what the stall watchdog reads (stall.go)
}

// Reason says why a queue's run stopped.
type Reason uint8

// Why a slice ended.
const (
	NoReason     Reason = iota
	RanDry              // the queue had no more ready tasks
	SliceExpired        // its time was up
	BudgetSpent         // it polled Budget tasks
	Yielded             // a task yielded because NeedPreempt said so
	Preempted           // a latency-matters queue woke up
	Parking             // the executor went to sleep
)

var reasonNames = [...]string{"", "ran dry", "slice expired", "budget spent", "yielded", "preempted by a latency queue", "parking"}

// String says why, in a few words, for the trace.
func (r Reason) String() string {
	if int(r) < len(reasonNames) {
		return reasonNames[r]
	}
	return fmt.Sprintf("reason(%d)", uint8(r))
}

// Defaults, after Seastar (a 0.5 ms task quota) and tokio (128 polls).
const (
	DefaultSlice  = 500 * time.Microsecond
	DefaultBudget = 128
)

// SchedOption configures a Scheduler.
type SchedOption func(*Scheduler)

// WithClock replaces the monotonic clock (tests pass a *FakeClock).
func WithClock(c Clock) SchedOption { return func(s *Scheduler) { s.clock = c } }

// WithSlice sets the default slice length (> 0).
func WithSlice(d time.Duration) SchedOption { return func(s *Scheduler) { s.slice = d } }

// WithBudget sets how many polls a slice may take at most (> 0).
func WithBudget(n int) SchedOption { return func(s *Scheduler) { s.budget = n } }

// WithoutPreemptTimer leaves the slice to be ended only by the clock read
// in Pop and the budget: NeedPreempt then never turns true in the middle
// of a poll because of time. Deterministic tests use it with a FakeClock.
func WithoutPreemptTimer() SchedOption {
	return func(s *Scheduler) { s.preempt.timer = nil; s.preempt.manual = true }
}

// NewScheduler returns a scheduler with one queue, "default" (1000
// shares, not important), where tasks spawned without In go.
func NewScheduler(opts ...SchedOption) *Scheduler {
	s := &Scheduler{clock: nil, slice: DefaultSlice, budget: DefaultBudget}
	for _, o := range opts {
		o(s)
	}
	if s.clock == nil {
		s.clock = NewRealClock()
	}
	if s.slice <= 0 || s.budget <= 0 {
		panic("scheduling: slice and budget must be positive")
	}
	s.def, _ = s.NewQueue("default", Static(MaxShares), NotImportant)
	return s
}

// NewQueue adds a task queue. Shares must be Static(1..1000) or Dynamic;
// the latency class NotImportant or Matters(d > 0). A bad argument is an
// error and adds nothing. Executor goroutine only (or before the executor
// runs).
func (s *Scheduler) NewQueue(name string, sh Shares, lat Latency) (*Queue, error) {
	if err := sh.validate(); err != nil {
		return nil, err
	}
	if lat.max < 0 {
		return nil, fmt.Errorf("scheduling: queue %q: latency %v must be positive", name, lat.max)
	}
	q := &Queue{s: s, index: len(s.queues), name: name, shares: sh, latency: lat, cur: sh.static}
	q.readShares(s.clock.Now(), true)
	// A new queue starts level with the others, not at zero: a queue
	// created late must not get a burst of credit.
	q.vruntime = s.activationFloor()
	s.queues = append(s.queues, q)
	return q, nil
}

// Default returns the queue for tasks spawned without a queue.
func (s *Scheduler) Default() *Queue { return s.def }

// Queues returns every queue, in creation order.
func (s *Scheduler) Queues() []*Queue { return s.queues }

// Current returns the queue whose slice is running, or nil.
func (s *Scheduler) Current() *Queue { return s.cur }

// Push implements executor.Scheduler: t goes to the back of its queue
// (Task.Class, set by In; the default queue otherwise).
func (s *Scheduler) Push(t *executor.Task) {
	q, _ := t.Class().(*Queue)
	if q == nil || q.s != s {
		q = s.def
	}
	now := s.clock.Now()
	if q.Len() == 0 && q != s.cur {
		s.activate(q, now)
	}
	q.push(t, now)
	s.ready++
}

// activate applies the activation rule to a queue going from empty to
// ready: its vruntime becomes max(its own, the floor). Its debt is kept
// (a queue that just ran a lot does not get a fresh start by going idle
// for a moment) and it cannot hoard credit (a queue idle for an hour does
// not get an hour of CPU). This is Seastar's rule; doc.go says why not
// Glommio's.
func (s *Scheduler) activate(q *Queue, now time.Duration) {
	q.stats.Activations++
	q.vruntime = max(q.vruntime, s.activationFloor())
	if q.latency.max > 0 && s.cur != nil && s.cur != q && s.stop == NoReason {
		// A latency-matters queue woke while another runs: end that
		// run now, and tell a task polling right now (NeedPreempt).
		s.stop = Preempted
		s.cur.stats.Preempted++
		s.preempt.force()
		s.obs.preempted(s.cur, q)
	}
}

// activationFloor is the least vruntime among ready queues (and the
// running one), or, with none, the vruntime of the last queue run.
func (s *Scheduler) activationFloor() uint64 {
	f, any := uint64(0), false
	for _, q := range s.queues {
		if q.Len() > 0 || q == s.cur {
			if !any || q.vruntime < f {
				f, any = q.vruntime, true
			}
		}
	}
	if !any {
		return s.floor
	}
	return f
}

// Len implements executor.Scheduler.
func (s *Scheduler) Len() int { return s.ready }

// Pop implements executor.Scheduler: it charges the time since the last
// Pop to the running queue, ends its slice if it should end, picks the
// next queue if needed, and returns that queue's first task.
func (s *Scheduler) Pop() *executor.Task {
	now := s.clock.Now()
	if s.cur != nil {
		s.cur.charge(now - s.lastPop)
		s.lastPop = now
		switch {
		case s.cur.Len() == 0:
			s.endSlice(now, RanDry)
		case s.stop != NoReason:
			s.endSlice(now, s.stop)
		case now >= s.sliceEnd || s.preempt.word.Load()&1 != 0:
			s.endSlice(now, SliceExpired)
		case s.slicePolls >= s.budget:
			s.endSlice(now, BudgetSpent)
		}
	}
	if s.ready == 0 {
		return nil
	}
	if s.cur == nil {
		s.pick(now)
	}
	e := s.cur.pop()
	s.ready--
	s.slicePolls++
	s.cur.stats.Polls++
	s.cur.delay.Record(now - e.at)
	if s.watch.kick != nil {
		s.watch.poll(e.t, now)
	}
	return e.t
}

// EndSlice charges the running queue up to now and ends its slice, with
// reason Parking. The phase-3 driver calls it before the executor sleeps,
// so the sleep is charged to nobody.
func (s *Scheduler) EndSlice() {
	if s.cur == nil {
		return
	}
	now := s.clock.Now()
	s.cur.charge(now - s.lastPop)
	s.lastPop = now
	s.endSlice(now, Parking)
	if s.watch.kick != nil {
		s.watch.running.Store(nil) // asleep is not stalled
	}
}

func (s *Scheduler) endSlice(now time.Duration, why Reason) {
	q := s.cur
	s.floor = max(s.floor, q.vruntime)
	s.last, s.lastWhy = q, why
	s.cur = nil
	s.stop = NoReason
	s.preempt.disarm()
	s.obs.sliceEnded(s, q, now, why)
}

// pick starts a slice of the ready queue with the least vruntime. Ties go
// to a latency-matters queue, then to a queue other than the one that
// just stopped (equals take turns), then to the queue created first, so a
// run is reproducible.
func (s *Scheduler) pick(now time.Duration) {
	var best *Queue
	minLat := s.slice
	for _, q := range s.queues {
		if q.Len() == 0 {
			continue
		}
		if q.latency.max > 0 {
			minLat = min(minLat, q.latency.max)
		}
		if best == nil || q.vruntime < best.vruntime || (q.vruntime == best.vruntime && s.before(q, best)) {
			best = q
		}
	}
	if best.shares.fn != nil {
		best.readShares(now, false)
	}
	s.cur = best
	s.sliceStart, s.sliceEnd, s.lastPop = now, now+minLat, now
	s.slicePolls = 0
	best.stats.Selected++
	s.preempt.arm(s.sliceEnd)
	s.renormalise()
	s.obs.picked(s, best, now, minLat)
}

// before breaks a tie between two queues of equal vruntime (a is later
// in creation order than b).
func (s *Scheduler) before(a, b *Queue) bool {
	if (a.latency.max > 0) != (b.latency.max > 0) {
		return a.latency.max > 0
	}
	return b == s.last && a != s.last
}

// renormalise keeps vruntimes far from overflow: once the least of them
// passes 2^62 (about 146 years of CPU at 1000 shares, 53 days at 1 share)
// every queue is lowered by the same amount, which changes no decision.
func (s *Scheduler) renormalise() {
	const limit = 1 << 62
	m := s.cur.vruntime
	for _, q := range s.queues {
		m = min(m, q.vruntime)
	}
	if m < limit {
		return
	}
	for _, q := range s.queues {
		q.vruntime -= m
	}
	s.floor -= min(s.floor, m)
}

// SliceEnd returns when the running slice ends (0 when none runs).
func (s *Scheduler) SliceEnd() time.Duration {
	if s.cur == nil {
		return 0
	}
	return s.sliceEnd
}

// In returns the spawn option that puts a task in q.
func In(q *Queue) executor.SpawnOption { return executor.WithClass(q) }
