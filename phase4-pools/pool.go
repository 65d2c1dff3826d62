//go:build linux || darwin

package pools

import (
	"errors"
	"fmt"
	"hash/maphash"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	executor "asyncworkbook/phase1-executor"
	iouring "asyncworkbook/phase2-iouring"
	scheduling "asyncworkbook/phase3-scheduling"
	"asyncworkbook/phases/trace"
)

// Pool is a set of executors, each running on its own OS thread for its
// whole life: the goroutine that runs it is locked to the thread
// (runtime.LockOSThread) before anything else, the thread is pinned to the
// executor's CPUs after that, and the executor's ring is created there. Its
// coroutines are created, resumed and closed on that thread only (iter.Pull
// requires it), and so is the executor's Close: other goroutines ask, by
// Shutdown, they never call into an executor.
//
// When an executor's goroutine returns, it is still locked, so Go ends the
// thread with it instead of handing a pinned thread to some other goroutine.
//
// Executors talk over a full mesh of SPSC channels (one per ordered pair):
// SubmitTo sends work to another executor and the answer comes back the
// same way. Spawn and Shutdown may be called from any goroutine.
type Pool struct {
	plan    *Plan
	execs   []*Executor
	byEx    map[*executor.Executor]*Executor // read-only once New returns
	closing atomic.Bool
	done    sync.WaitGroup
	shut    sync.Once
	report  Report
	seed    maphash.Seed // for ShardOf
	sink    trace.Sink   // every executor's, serialized (nil: untraced)
}

// Executor is one executor of a pool, as the pool sees it.
type Executor struct {
	pool *Pool
	id   int
	cpus CPUSet
	tid  int

	ex     *executor.Executor           // rt's executor
	rt     *scheduling.Runtime          // phase 3 on r: queues, wheel, deadline parking
	r      *iouring.Reactor             // the ring this executor's thread created
	queues map[string]*scheduling.Queue // Options.Queues and "default"; read-only once New returns

	in  []*SPSC[message] // in[from]: messages from executor from (nil for itself)
	out []*outbox        // out[to]

	// live counts the tasks the pool started here (Spawn, SubmitTo) that
	// have not finished: incremented by whoever submits (any goroutine),
	// decremented here. Shutdown waits for it to reach zero.
	live     atomic.Int64
	stopping atomic.Bool // Shutdown asked; stopAt is its deadline
	exiting  atomic.Bool // the executor found the pool idle and is leaving
	// dead says the executor stopped early (its ring failed): it takes no
	// more work and Shutdown no longer waits for it. spawning counts the
	// Spawns from outside between their look at dead and their inject;
	// the dying executor waits for it to reach zero before it closes, so
	// a Spawn either sees dead or lands before Close cancels it (phase 1's
	// Close would otherwise lose a task injected after its drain).
	dead     atomic.Bool
	spawning atomic.Int32
	runErr   error         // why it stopped early; written before dead is stored
	ended    chan struct{} // closed when run returns
	stopAt   atomic.Int64  // deadline, Unix nanoseconds
	wake     waitSlot      // the main task waiting for a stop request or for live == 0
	stats    ExecReport    // executor goroutine only, until the executor ends
	flusher  executor.Waker
	flushing bool             // the flusher task is queued this turn
	started  bool             // run got as far as its main task (set before started is sent)
	stopWait []executor.Waker // Stopping futures to wake when Shutdown begins
	reqSeq   uint64           // SubmitTo requests started here, for the trace
}

// Options for New.
type Options struct {
	// Topology to place on; nil reads this machine's.
	Topology *Topology
	// RingEntries per executor's reactor (default 256).
	RingEntries uint32
	// ChannelCapacity of each SPSC channel of the mesh (default 128).
	ChannelCapacity int
	// MaxInFlight bounds the SubmitTo requests one executor has open
	// towards one destination (default 128, as Seastar's semaphore).
	MaxInFlight int
	// Queues are the task queues every executor gets besides phase 3's
	// "default" (Executor.Queue finds them, scheduling.In spawns into
	// one).
	Queues []QueueSpec
	// Ring chooses each executor's io_uring setup flags (RingDefault: the
	// measured best).
	Ring RingSetup
	// SpinBeforePark makes each executor poll for up to this long before
	// it parks in the kernel (phase 3's WithSpinBeforePark; default 0: a
	// spinning executor burns a core). A message that arrives meanwhile
	// costs no wake: see BenchmarkSubmitTo's spin rows for what it buys.
	SpinBeforePark time.Duration
	// YieldBeforePark keeps phase 3's runtime.Gosched before a park that
	// blocks in the kernel. Off by default: on the executors' locked
	// threads it cost the echo server a fifth of its round trips
	// (echo-pool -yield; doc.go has the numbers).
	YieldBeforePark bool
	// Sink receives the trace events of every executor (see trace.go):
	// the pool hands it one event at a time, so it need not be safe for
	// concurrent use, and a trace.Stepper steps the whole pool. Nil: the
	// pool is not traced.
	Sink trace.Sink
}

// ErrShutdown is returned for work submitted once Shutdown has begun.
var ErrShutdown = errors.New("pools: the pool is shutting down")

// New starts a pool placed by p and returns once every executor runs (or
// the first that could not start has said why; the others are then shut
// down).
func New(p Placement, o Options) (*Pool, error) {
	top := o.Topology
	if top == nil {
		var err error
		if top, err = MachineTopology(); err != nil {
			return nil, err
		}
	}
	plan, err := p.Plan(top)
	if err != nil {
		return nil, err
	}
	if err := checkQueues(o.Queues); err != nil {
		return nil, err
	}
	o.RingEntries = cmpOr(o.RingEntries, 256)
	o.ChannelCapacity = cmpOr(o.ChannelCapacity, 128)
	o.MaxInFlight = cmpOr(o.MaxInFlight, 128)
	n := len(plan.Executors)
	pool := &Pool{plan: plan, byEx: map[*executor.Executor]*Executor{}, seed: maphash.MakeSeed()}
	if o.Sink != nil {
		pool.sink = &poolSink{s: o.Sink}
	}
	for i := range n {
		e := &Executor{pool: pool, id: i, cpus: plan.Executors[i], in: make([]*SPSC[message], n), out: make([]*outbox, n), ended: make(chan struct{})}
		e.stats.ID, e.stats.CPUs = i, e.cpus
		e.stats.Sent = make([]uint64, n)
		pool.execs = append(pool.execs, e)
	}
	for from, e := range pool.execs {
		for to, d := range pool.execs {
			if from != to {
				c := NewSPSC[message](o.ChannelCapacity)
				e.out[to] = &outbox{c: c, max: o.MaxInFlight}
				d.in[from] = c
			}
		}
	}
	// Each executor writes its own entry when it ends, which may be
	// before Shutdown (its ring failed): the slice exists from the start.
	pool.report.Executors = make([]ExecReport, n)
	started := make(chan error, n)
	for _, e := range pool.execs {
		pool.done.Add(1)
		go e.run(o, started)
	}
	var errs []error
	for range n {
		if err := <-started; err != nil {
			errs = append(errs, err)
		}
	}
	for _, e := range pool.execs {
		if e.ex != nil && e.started {
			pool.byEx[e.ex] = e
		}
	}
	if len(errs) > 0 {
		pool.Shutdown(0)
		return nil, errors.Join(errs...)
	}
	return pool, nil
}

func cmpOr[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// Plan returns where the pool placed its executors.
func (p *Pool) Plan() *Plan { return p.plan }

// Len returns the number of executors.
func (p *Pool) Len() int { return len(p.execs) }

// Executor returns executor i.
func (p *Pool) Executor(i int) *Executor { return p.execs[i] }

// ID returns the executor's index in its pool.
func (e *Executor) ID() int { return e.id }

// CPUs returns the CPUs the executor's thread is pinned to (empty: not
// pinned).
func (e *Executor) CPUs() CPUSet { return e.cpus }

// ThreadID returns the id of the OS thread the executor runs on.
func (e *Executor) ThreadID() int { return e.tid }

// Reactor returns the executor's ring, for tasks running on it.
func (e *Executor) Reactor() *iouring.Reactor { return e.r }

// Current returns the pool executor polling cx, or nil if cx belongs to
// no executor of p.
func (p *Pool) Current(cx *executor.Context) *Executor { return p.byEx[cx.Executor()] }

// run is an executor's whole life, on its own locked thread.
func (e *Executor) run(o Options, started chan<- error) {
	defer e.pool.done.Done()
	defer close(e.ended)
	// Locked for good: never unlocked, so when run returns Go ends the
	// thread rather than reuse a thread pinned to our CPUs.
	runtime.LockOSThread()
	e.tid = threadID()
	e.stats.TID = e.tid
	fail := func(err error) { started <- fmt.Errorf("pools: executor %d: %w", e.id, err) }
	if e.cpus.Len() > 0 {
		if err := pinThread(e.cpus); err != nil {
			fail(err)
			return
		}
	}
	// Made here, on the locked thread: with SINGLE_ISSUER the kernel
	// accepts io_uring_enter from this thread only, and nothing else ever
	// enters this ring (other goroutines wake it through its eventfd).
	r, err := iouring.NewReactorWith(o.RingEntries, o.Ring.options()...)
	if err != nil {
		fail(err)
		return
	}
	e.r = r
	e.stats.Ring = r.RingKind()
	e.stats.Setup = r.SetupFlags()
	// Phase 3 on the reactor: its driver parks r until the wheel's next
	// deadline (ParkTimeout), its scheduler runs the queues. Its
	// preemption timer is a second ring, also made (and closed) here.
	var ropts []scheduling.RuntimeOption
	ropts = append(ropts, scheduling.WithBaseDriver(r))
	if e.pool.sink != nil {
		// The executor's sink only, not scheduling.WithSink: that also
		// gives the driver the sink for EventfdWake, which it emits on the
		// waking goroutine, outside the executor's sequence — a Spawn from
		// outside would then block in the sink while a Stepper holds the
		// pool. Wakes between executors are traced as MsgWake instead.
		ropts = append(ropts, scheduling.WithExecutorOptions(executor.WithSink(e.pool.sink)))
	}
	if o.SpinBeforePark > 0 {
		ropts = append(ropts, scheduling.WithSpinBeforePark(o.SpinBeforePark))
	}
	if !o.YieldBeforePark {
		// A Gosched on a locked thread parks the thread itself until
		// another hands the goroutine back (doc.go, "What a wake costs").
		ropts = append(ropts, scheduling.WithoutYieldBeforePark())
	}
	e.rt = scheduling.NewRuntime(ropts...)
	e.ex = e.rt.Executor()
	e.stats.Preempt = preemptRing(e.rt.Scheduler())
	e.queues = map[string]*scheduling.Queue{"default": e.rt.Scheduler().Default()}
	for _, q := range o.Queues {
		sq, err := e.rt.NewQueue(q.Name, q.Shares, q.Latency)
		if err != nil {
			e.rt.Close()
			_ = r.Close()
			fail(err)
			return
		}
		e.queues[q.Name] = sq
	}
	if e.tracing() {
		ev := e.ex.NewEvent(trace.ExecutorStarted, 0)
		ev.Index, ev.Thread, ev.Note = e.id, e.tid, e.stats.ringNote()
		if e.cpus.Len() > 0 {
			ev.CPUs = e.cpus.String()
		}
		e.ex.Emit(ev)
	}
	e.started = true
	started <- nil
	if _, err := scheduling.BlockOn(e.rt, executor.Future[struct{}](&mainTask{e: e}), executor.WithName(fmt.Sprintf("pool executor %d", e.id))); err != nil {
		e.stats.RunErr = err // the ring failed for good (Reactor.Err), say
		e.stopEarly(err)
	}
	// Closed here, on the executor's thread: the executor (cancelling what
	// is left), the preemption ring, then the reactor.
	e.rt.Close()
	// Every task still live was cancelled by Close; the flusher is ours.
	e.stats.Cancelled = uint64(max(e.ex.Stats().LiveTasksAtClose-1, 0))
	if err := r.Close(); err != nil {
		e.stats.CloseErr = err
	}
	if e.tracing() {
		note := "drained"
		if !e.stats.Drained {
			note = "deadline passed"
		}
		e.traceCount(trace.ExecutorClosed, int(e.stats.Cancelled), note)
	}
	e.pool.report.Executors[e.id] = e.stats
}

// Spawn runs f as a task on executor i of p. Safe from any goroutine. Once
// Spawn returns without error the task is acknowledged: Shutdown lets it
// finish, unless its deadline passes first, and reports it if it does.
func Spawn[T any](p *Pool, i int, f executor.Future[T], opts ...executor.SpawnOption) (executor.JoinHandle[T], error) {
	if i < 0 || i >= len(p.execs) {
		return executor.JoinHandle[T]{}, fmt.Errorf("pools: Spawn on executor %d of a pool of %d", i, len(p.execs))
	}
	e := p.execs[i]
	e.spawning.Add(1)
	defer e.spawning.Add(-1)
	if e.dead.Load() {
		return executor.JoinHandle[T]{}, e.deadErr()
	}
	if !e.admit(true) {
		return executor.JoinHandle[T]{}, ErrShutdown
	}
	return executor.Spawn(e.ex, executor.Future[T](&counted[T]{f: f, e: e}), opts...), nil
}

// ErrExecutorStopped is the error (wrapped with the executor's own) for
// work sent to an executor that stopped early because its ring failed.
var ErrExecutorStopped = errors.New("pools: the executor stopped early")

func (e *Executor) deadErr() error {
	return fmt.Errorf("%w: executor %d: %w", ErrExecutorStopped, e.id, e.runErr)
}

// stopEarly retires an executor whose loop ended with err before the
// pool's shutdown: no Spawn or SubmitTo reaches it any more, Shutdown
// stops counting its tasks (they can never run; Close cancels them), and
// executors already waiting for the pool to go idle look again. On the
// executor's own thread, before its runtime is closed.
func (e *Executor) stopEarly(err error) {
	e.runErr = err
	// Sequentially consistent: a Spawn that incremented spawning before
	// this store is waited for below; one after it sees dead.
	e.dead.Store(true)
	for e.spawning.Load() != 0 {
		runtime.Gosched() // a Spawn between its look and its inject: short
	}
	for _, o := range e.pool.execs {
		o.wake.fire()
	}
}

// admit counts one more task to wait for, unless the pool refuses work
// (from outside: once Shutdown began) or this executor is leaving. The
// order matters: count first, then look. The executor stores exiting,
// then reads the count; with sequentially consistent atomics either we see
// exiting (and take our count back) or it sees our count (and stays).
func (e *Executor) admit(fromOutside bool) bool {
	e.live.Add(1)
	if (fromOutside && e.pool.closing.Load()) || e.exiting.Load() || e.dead.Load() {
		e.finishOne()
		return false
	}
	return true
}

// finishOne notes that a counted task finished. At shutdown, when an
// executor runs out of tasks every executor looks again: each leaves only
// once the whole pool is idle, since a task elsewhere may still send it
// work.
func (e *Executor) finishOne() {
	if e.live.Add(-1) == 0 && e.stopping.Load() {
		for _, o := range e.pool.execs {
			o.wake.fire()
		}
	}
}

// idle reports whether no executor of the pool has a counted task (an
// executor that stopped early is not waited for: its tasks never run).
func (p *Pool) idle() bool {
	for _, e := range p.execs {
		if e.live.Load() != 0 && !e.dead.Load() {
			return false
		}
	}
	return true
}

// counted wraps a task the pool waits for at shutdown.
type counted[T any] struct {
	f    executor.Future[T]
	e    *Executor
	done bool
}

func (c *counted[T]) Poll(cx *executor.Context) executor.Poll[T] {
	p := c.f.Poll(cx)
	if _, ok := p.Value(); ok && !c.done {
		c.done = true
		c.e.stats.Completed++
		c.e.finishOne()
	}
	return p
}

func (c *counted[T]) Drop() {
	if d, ok := c.f.(executor.Dropper); ok && !c.done {
		d.Drop()
	}
	if !c.done {
		c.done = true
		c.e.finishOne()
	}
}

// Stopping returns a future that becomes ready once Shutdown has begun: a
// server task selects on it to stop accepting. From a task on one of p's
// executors.
func (p *Pool) Stopping() executor.Future[struct{}] { return stoppingFuture{p} }

type stoppingFuture struct{ p *Pool }

func (s stoppingFuture) Poll(cx *executor.Context) executor.Poll[struct{}] {
	e := s.p.Current(cx)
	if e == nil || e.stopping.Load() {
		return executor.PollReady(struct{}{})
	}
	// The main task wakes these when it sees the stop request (same
	// goroutine: no race with this append).
	e.stopWait = append(e.stopWait, cx.WakerFor("pool stopping"))
	return executor.Pending[struct{}]()
}

// Report says what each executor did, once the pool is shut down.
type Report struct {
	Executors []ExecReport
}

// ExecReport is one executor's account.
type ExecReport struct {
	ID        int
	CPUs      CPUSet
	TID       int
	Ring      string   // which ring it ran on (RingKind)
	Setup     string   // the ring's setup flags (Reactor.SetupFlags)
	Preempt   string   // phase 3's preemption signal, and its ring's setup flags
	Completed uint64   // tasks the pool started here that finished
	Cancelled uint64   // tasks still running at the deadline, cancelled
	Drained   bool     // every task finished before the deadline
	Sent      []uint64 // messages sent to each executor (requests and answers)
	RunErr    error    // the executor stopped early with this error (its ring failed)
	CloseErr  error    // closing the ring failed
}

// String is the report as a learner reads it.
func (r Report) String() string {
	s := ""
	for _, e := range r.Executors {
		how := "drained"
		if !e.Drained {
			how = "deadline passed"
		}
		if e.RunErr != nil {
			how += " (stopped early: " + e.RunErr.Error() + ")"
		}
		s += fmt.Sprintf("executor %d (CPUs %v, thread %d, %s): %d completed, %d cancelled, %s\n", e.ID, e.CPUs, e.TID, e.ringNote(), e.Completed, e.Cancelled, how)
	}
	return s
}

// Shutdown stops the pool: it refuses new work from outside at once
// (ErrShutdown), lets every acknowledged task finish — SubmitTo between
// executors goes on working while they do — and after timeout cancels what
// is left; then each executor closes its ring on its own thread. It returns
// when every executor has ended, with what each completed and cancelled.
// Any goroutine but the pool's own; later calls return the same report.
func (p *Pool) Shutdown(timeout time.Duration) Report {
	p.shut.Do(func() {
		p.closing.Store(true)
		deadline := time.Now().Add(timeout).UnixNano()
		for _, e := range p.execs {
			e.stopAt.Store(deadline)
			e.stopping.Store(true)
			e.wake.fire()
		}
		p.done.Wait()
	})
	return p.report
}
