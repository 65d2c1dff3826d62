package scheduling

import (
	"time"

	executor "asyncworkbook/phase1-executor"
	"asyncworkbook/phases/trace"
)

// Runtime is phase 3 put together: a phase-1 executor whose Scheduler is
// this package's task queues, whose timers live in a Wheel in user space,
// and whose Driver parks until the next deadline (driver.go) on whatever
// driver it is given — phase 1's ChanDriver, or phase 2's io_uring
// Reactor. Everything but Executor().Spawn and wakers belongs to the
// goroutine that runs the executor. Create one with NewRuntime; Close it
// when done.
type Runtime struct {
	ex     *executor.Executor
	sched  *Scheduler
	wheel  *Wheel
	driver *Driver
	clock  Clock
	stall  *Watchdog // nil without WithStallDetector
}

// RuntimeOption configures NewRuntime.
type RuntimeOption func(*runtimeConfig)

type runtimeConfig struct {
	base  executor.Driver
	sched []SchedOption
	exec  []executor.Option
	clock Clock
	tick  time.Duration

	sink       trace.Sink
	spin       time.Duration
	goTimer    bool
	noYield    bool
	stallAfter time.Duration
	stallOut   func(StallReport)
}

// WithBaseDriver parks the runtime on d (phase 2's *iouring.Reactor, say)
// instead of a ChanDriver. A d that implements executor.TimeoutDriver
// parks until the next deadline in one call; any other is woken at the
// deadline by a Go timer calling its Unpark.
func WithBaseDriver(d executor.Driver) RuntimeOption {
	return func(c *runtimeConfig) { c.base = d }
}

// WithSchedulerOptions passes options to the Scheduler.
func WithSchedulerOptions(o ...SchedOption) RuntimeOption {
	return func(c *runtimeConfig) { c.sched = append(c.sched, o...) }
}

// WithExecutorOptions passes options (a trace sink, say) to the executor.
func WithExecutorOptions(o ...executor.Option) RuntimeOption {
	return func(c *runtimeConfig) { c.exec = append(c.exec, o...) }
}

// WithSink traces the runtime to s.
func WithSink(s trace.Sink) RuntimeOption {
	return func(c *runtimeConfig) { c.sink = s; c.exec = append(c.exec, executor.WithSink(s)) }
}

// WithRuntimeClock gives the scheduler and the wheel one clock (a
// *FakeClock in tests).
func WithRuntimeClock(k Clock) RuntimeOption { return func(c *runtimeConfig) { c.clock = k } }

// WithTick sets the timer wheel's resolution (default DefaultTick).
func WithTick(d time.Duration) RuntimeOption { return func(c *runtimeConfig) { c.tick = d } }

// WithGoTimerPreemption keeps the Go timer as the preemption signal even
// where a second io_uring could carry it (for comparing the two).
func WithGoTimerPreemption() RuntimeOption { return func(c *runtimeConfig) { c.goTimer = true } }

// WithoutYieldBeforePark drops the runtime.Gosched the driver makes
// before a park that blocks in a system call (driver.go): for an executor
// whose goroutine is locked to its thread, where a Gosched hands the P
// away and back — phase 4 measures which is cheaper.
func WithoutYieldBeforePark() RuntimeOption { return func(c *runtimeConfig) { c.noYield = true } }

// NewRuntime builds the executor, its scheduler, wheel and driver.
func NewRuntime(opts ...RuntimeOption) *Runtime {
	cfg := runtimeConfig{tick: DefaultTick}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.clock == nil {
		cfg.clock = NewRealClock()
	}
	if cfg.base == nil {
		cfg.base = executor.NewChanDriver()
	}
	rt := &Runtime{clock: cfg.clock}
	rt.sched = NewScheduler(append([]SchedOption{WithClock(cfg.clock)}, cfg.sched...)...)
	if !rt.sched.preempt.manual && !cfg.goTimer {
		// The runtime has a Close to release it: the slice timer goes on a
		// second io_uring where there is one (preempt_ring_linux.go).
		if sig, err := newRingSignal(); err == nil {
			rt.sched.preempt.ring = sig
		}
	}
	rt.wheel = NewWheel(cfg.tick, cfg.clock.Now())
	rt.driver = newDriver(rt, cfg.base)
	rt.driver.sink = cfg.sink
	rt.driver.spin.limit = cfg.spin
	rt.driver.yieldFirst = rt.driver.yieldFirst && !cfg.noYield
	rt.ex = executor.New(append(cfg.exec, executor.WithScheduler(rt.sched), executor.WithDriver(rt.driver))...)
	rt.sched.Attach(rt.ex)
	if cfg.stallAfter > 0 {
		rt.stall = startWatchdog(rt, cfg.stallAfter, cfg.stallOut, cfg.sink)
	}
	return rt
}

// Executor returns the runtime's executor: Spawn, BlockOn and Close go
// through it (scheduling.In picks a task's queue).
func (rt *Runtime) Executor() *executor.Executor { return rt.ex }

// Scheduler returns the task queues.
func (rt *Runtime) Scheduler() *Scheduler { return rt.sched }

// Wheel returns the timer wheel (for inspection: Len, NextDeadline).
func (rt *Runtime) Wheel() *Wheel { return rt.wheel }

// Driver returns the runtime's driver (for its counters).
func (rt *Runtime) Driver() *Driver { return rt.driver }

// Clock returns the runtime's clock.
func (rt *Runtime) Clock() Clock { return rt.clock }

// NewQueue adds a task queue (Scheduler.NewQueue).
func (rt *Runtime) NewQueue(name string, sh Shares, lat Latency) (*Queue, error) {
	return rt.sched.NewQueue(name, sh, lat)
}

// Close closes the executor (cancelling its tasks, which cancels their
// timers), stops the stall watchdog, and releases the preemption timer.
// It does not close the base driver: whoever made it closes it.
func (rt *Runtime) Close() {
	rt.ex.Close()
	rt.sched.preempt.close()
	if rt.stall != nil {
		rt.stall.stop()
	}
	rt.driver.close()
}

// BlockOn runs main on the runtime's executor until it completes.
func BlockOn[T any](rt *Runtime, main executor.Future[T], opts ...executor.SpawnOption) (T, error) {
	return executor.BlockOn(rt.ex, main, opts...)
}
