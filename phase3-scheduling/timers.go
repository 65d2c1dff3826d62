package scheduling

import (
	"errors"
	"time"

	executor "asyncworkbook/phase1-executor"
	"asyncworkbook/phases/trace"
)

// Sleep returns a future that is ready once d has passed since its first
// poll. Its timer is an entry in the runtime's wheel: arming and
// cancelling it cost no system call and no goroutine (phase 1's Sleep
// costs a Go runtime timer and a wake from another goroutine). Dropping
// the future cancels the timer in O(1). It must be polled by a task of
// rt's executor.
func (rt *Runtime) Sleep(d time.Duration) executor.Future[struct{}] {
	return &sleepFuture{rt: rt, d: d}
}

// SleepUntil returns a future that is ready once the runtime's clock
// reads at (a reading of rt.Clock()): timers armed from one base time
// fire in deadline order however late each is armed.
func (rt *Runtime) SleepUntil(at time.Duration) executor.Future[struct{}] {
	return &sleepFuture{rt: rt, at: at, absolute: true}
}

type sleepFuture struct {
	rt       *Runtime
	d        time.Duration
	at       time.Duration // SleepUntil's deadline
	absolute bool
	timer    Timer
	armed    bool
	fired    bool
	waker    executor.Waker
	task     uint64 // for the trace
}

// Poll arms the timer at the first poll and is ready once it fired.
func (s *sleepFuture) Poll(cx *executor.Context) executor.Poll[struct{}] {
	if s.fired {
		return executor.PollReady(struct{}{})
	}
	s.rt.mustOwn(cx)
	s.waker = cx.WakerFor("timer wheel")
	if !s.armed {
		s.armed = true
		now := s.rt.clock.Now()
		at := now + s.d
		if s.absolute {
			at, s.d = s.at, s.at-now
		}
		if !s.rt.wheel.Insert(&s.timer, at, s.fire) {
			s.fired = true
			return executor.PollReady(struct{}{})
		}
		s.task = cx.TaskID()
		s.rt.sched.obs.timerArmed(s.task, s.d)
	}
	return executor.Pending[struct{}]()
}

// fire runs inside Wheel.Advance, on the executor's goroutine.
func (s *sleepFuture) fire() {
	s.fired = true
	s.rt.sched.obs.timerFired(s.task)
	s.rt.ex.WakeFromDriver(s.waker, trace.SourceTimer)
}

// Drop cancels the timer if it is still waiting.
func (s *sleepFuture) Drop() {
	if s.rt.wheel.Cancel(&s.timer) {
		s.rt.sched.obs.timerCancelled(s.task)
	}
}

func (rt *Runtime) mustOwn(cx *executor.Context) {
	if cx.Executor() != rt.ex {
		panic("scheduling: a timer of one runtime polled by a task of another executor")
	}
}

// ErrTimeout is the error of a Timeout whose time ran out.
var ErrTimeout = errors.New("scheduling: timed out")

// Timeout returns a future that polls f until it is ready, or until d has
// passed since the first poll: then f is dropped (its Drop runs, as a
// cancel) and the result's Err is ErrTimeout.
func Timeout[T any](rt *Runtime, f executor.Future[T], d time.Duration) executor.Future[executor.Result[T]] {
	return &timeout[T]{f: f, sleep: sleepFuture{rt: rt, d: d}}
}

type timeout[T any] struct {
	f     executor.Future[T]
	sleep sleepFuture
	done  bool
}

// Poll polls the future, then the timer.
func (t *timeout[T]) Poll(cx *executor.Context) executor.Poll[executor.Result[T]] {
	if t.done {
		panic("scheduling: Timeout polled after it returned")
	}
	if v, ok := t.f.Poll(cx).Value(); ok {
		t.done = true
		t.sleep.Drop() // O(1): the timer leaves the wheel
		return executor.PollReady(executor.Result[T]{Value: v})
	}
	if t.sleep.Poll(cx).IsReady() {
		t.done = true
		if dr, ok := t.f.(executor.Dropper); ok {
			dr.Drop()
		}
		return executor.PollReady(executor.Result[T]{Err: ErrTimeout})
	}
	return executor.Pending[executor.Result[T]]()
}

// Drop cancels the timer and drops f.
func (t *timeout[T]) Drop() {
	if t.done {
		return
	}
	t.done = true
	t.sleep.Drop()
	if dr, ok := t.f.(executor.Dropper); ok {
		dr.Drop()
	}
}

// Interval ticks every period, from its creation: the n-th tick is due at
// start + n·period. A task that falls behind is not handed a burst of
// ticks: Tick returns how many periods passed since the last one (≥ 1)
// and the next deadline stays on the grid. Executor goroutine only.
type Interval struct {
	rt     *Runtime
	period time.Duration
	start  time.Duration
	n      int64 // ticks handed out
	timer  Timer
	fired  bool
	waker  executor.Waker
}

// NewInterval returns an interval of the given period (> 0), starting now.
func (rt *Runtime) NewInterval(period time.Duration) *Interval {
	if period <= 0 {
		panic("scheduling: Interval period must be positive")
	}
	return &Interval{rt: rt, period: period, start: rt.clock.Now()}
}

// Tick returns a future ready at the next tick, yielding how many periods
// passed since the previous tick.
func (iv *Interval) Tick() executor.Future[int] { return intervalTick{iv} }

// Stop cancels the pending tick.
func (iv *Interval) Stop() { iv.rt.wheel.Cancel(&iv.timer) }

type intervalTick struct{ iv *Interval }

// Poll is ready at the next tick on the interval's grid.
func (t intervalTick) Poll(cx *executor.Context) executor.Poll[int] {
	iv := t.iv
	iv.rt.mustOwn(cx)
	now := iv.rt.clock.Now()
	due := iv.start + time.Duration(iv.n+1)*iv.period
	if now >= due {
		passed := int64((now - iv.start) / iv.period)
		k := int(passed - iv.n)
		iv.n = passed
		iv.rt.wheel.Cancel(&iv.timer)
		iv.fired = false
		return executor.PollReady(k)
	}
	iv.waker = cx.WakerFor("interval")
	if !iv.timer.Pending() {
		iv.fired = false
		if !iv.rt.wheel.Insert(&iv.timer, due, iv.fire) {
			iv.n++ // due by the wheel's tick already
			return executor.PollReady(1)
		}
	}
	return executor.Pending[int]()
}

func (iv *Interval) fire() {
	iv.fired = true
	iv.rt.ex.WakeFromDriver(iv.waker, trace.SourceTimer)
}
