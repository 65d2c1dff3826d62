package executor

import (
	"errors"
	"fmt"
	"runtime/debug"
	"sync/atomic"
	"time"

	"asyncworkbook/phases/trace"
)

// Executor runs tasks on one goroutine: the goroutine inside BlockOn.
// Spawn, Waker.Wake and JoinHandle.Cancel are safe from any goroutine;
// everything else belongs to the goroutine running the executor. Create
// one with New; the zero value is not usable.
//
// The loop, one turn at a time:
//
//	take the tasks woken from other goroutines (the wake list)
//	poll each task that was ready at the start of the turn
//	if main is done: return its result
//	if nothing is ready: park in the driver until a waker fires
type Executor struct {
	id     uint32
	sink   trace.Sink // nil: no tracing, one branch per event site
	sched  Scheduler  // executor goroutine only
	driver Driver

	driverPolls bool   // call driver.Poll on busy turns; constant after New
	failer      Failer // the driver, if it can fail for good; constant after New
	fatal       error  // the driver's fatal error, once it reported one

	wakes wakeList // tasks pushed by other goroutines

	// sleeping is true while the executor is parked or about to park. A
	// waker that pushed to the wake list Unparks the driver only if it can
	// swap sleeping from true to false, so waking a busy executor costs no
	// channel operation. No wakeup is lost: the executor stores true, then
	// looks at the wake list once more before parking; the pusher pushes,
	// then loads sleeping. With sequentially consistent atomics at least
	// one of the two sees the other's write.
	sleeping atomic.Bool

	// Owned by the executor's goroutine.
	cx      Context // reused for every poll: Context is valid only during Poll
	nextID  atomic.Uint64
	live    Task // sentinel of the live list (prevLive/nxLive)
	nLive   int
	seq     uint64
	start   time.Time
	now     int64       // the last clock reading, in ns since start
	ev      trace.Event // reused event buffer: sinks copy what they keep
	stats   Stats
	inBlock bool
	closed  atomic.Bool // set by Close; Spawn refuses afterwards
}

// ErrClosed is the error a JoinHandle yields for a task spawned on an
// executor that was already closed.
var ErrClosed = errors.New("executor: spawn on a closed executor")

// Stats counts what the executor's loop has done. Read it from the
// executor's goroutine, or after BlockOn has returned.
type Stats struct {
	Turns            uint64 // loop turns that polled or looked for work
	Polls            uint64 // calls of a task's Poll
	Parks            uint64 // times the executor parked in its driver
	Spawned          uint64 // tasks registered on this executor
	UnhandledPanics  uint64 // detached tasks that panicked
	UnwindPanics     uint64 // panics while a cancelled task unwound (a defer, a Drop)
	LastUnhandled    error  // the last of those panics, as a *PanicError
	LiveTasksAtClose int    // tasks Close had to cancel
}

// Option configures an Executor.
type Option func(*Executor)

// WithSink sends the executor's trace events to s.
func WithSink(s trace.Sink) Option { return func(ex *Executor) { ex.sink = s } }

// WithScheduler replaces the FIFO run queue.
func WithScheduler(s Scheduler) Option { return func(ex *Executor) { ex.sched = s } }

// WithDriver replaces the phase-1 ChanDriver.
func WithDriver(d Driver) Option { return func(ex *Executor) { ex.driver = d } }

var executorIDs atomic.Uint32

// New returns an executor with a FIFO scheduler and a ChanDriver, unless
// options say otherwise.
func New(opts ...Option) *Executor {
	ex := &Executor{id: executorIDs.Add(1), start: time.Now()}
	for _, o := range opts {
		o(ex)
	}
	if ex.sched == nil {
		ex.sched = &FIFO{}
	}
	if ex.driver == nil {
		ex.driver = NewChanDriver()
	}
	ex.cx.ex = ex
	ex.live.prevLive, ex.live.nxLive = &ex.live, &ex.live
	_, chanDriver := ex.driver.(*ChanDriver)
	ex.driverPolls = !chanDriver // ChanDriver.Poll does nothing: skip the call
	if a, ok := ex.driver.(Attacher); ok {
		a.Attach(ex)
	}
	ex.failer, _ = ex.driver.(Failer)
	return ex
}

// Tracing reports whether the executor has a sink. Drivers check it before
// building an event, as the executor does: one branch when off.
func (ex *Executor) Tracing() bool { return ex.sink != nil }

// NewEvent returns an event of kind k about task (0 for none), stamped
// with the executor's next sequence number, id and time, for a driver to
// fill in and pass to Emit. Executor goroutine only, and only when
// Tracing: the event is reused by the next call.
func (ex *Executor) NewEvent(k trace.Kind, task uint64) *trace.Event { return ex.event(k, task) }

// WakeFromDriver fires w on behalf of the executor's driver, which runs
// on the executor's goroutine (inside Park or Poll): a task of this
// executor goes straight to the run queue, without the wake list and
// without unparking a driver that is the caller. Executor goroutine only.
func (ex *Executor) WakeFromDriver(w Waker, src trace.Source) {
	if w.t == nil {
		return
	}
	if w.t.ex != ex {
		w.t.wake(src, 0)
		return
	}
	ex.wakeLocal(w.t, src, 0)
}

// Emit sends an event from NewEvent to the executor's sink.
func (ex *Executor) Emit(e *trace.Event) { ex.emit(e) }

// ID returns the executor's id, unique in this process, from 1.
func (ex *Executor) ID() uint32 { return ex.id }

// Scheduler returns the executor's scheduler, for inspection from the
// executor's goroutine (the visualiser draws the run queue from it).
func (ex *Executor) Scheduler() Scheduler { return ex.sched }

// Stats returns the loop's counters. Executor goroutine only, or after
// BlockOn returned.
func (ex *Executor) Stats() Stats { return ex.stats }

// SpawnOption configures one spawned task.
type SpawnOption func(*spawnConfig)

type spawnConfig = taskMeta

// WithName names the task in the trace and the visualiser.
func WithName(name string) SpawnOption { return func(c *spawnConfig) { c.name = name } }

func newTask[T any](ex *Executor, f Future[T], opts []SpawnOption) *task[T] {
	t := &task[T]{fut: f}
	if len(opts) > 0 {
		// Only a spawn with options pays for the metadata.
		t.meta = new(taskMeta)
		for _, o := range opts {
			o(t.meta)
		}
	}
	t.id = ex.nextID.Add(1)
	t.ex = ex
	t.r = t
	t.state.Store(stateScheduled | stateHandle)
	return t
}

// Spawn creates a task running f on ex and queues it. Safe from any
// goroutine; from inside a task on ex, SpawnLocal is cheaper.
func Spawn[T any](ex *Executor, f Future[T], opts ...SpawnOption) JoinHandle[T] {
	t := newTask(ex, f, opts)
	if ex.closed.Load() {
		// Nothing will ever poll it: finish it here, unpolled. Its future
		// never started, so there is nothing to drop on the executor.
		t.state.Store(stateCompleted | stateClosed)
		t.fut = nil
		t.r.finish(ErrClosed)
		return JoinHandle[T]{t: t}
	}
	t.wokenBy.Store(uint64(trace.SourceGoroutine) << 56)
	ex.inject(&t.Task)
	return JoinHandle[T]{t: t}
}

// SpawnLocal creates a task running f on the executor polling cx and puts
// it straight on the run queue. Only from inside a poll.
func SpawnLocal[T any](cx *Context, f Future[T], opts ...SpawnOption) JoinHandle[T] {
	ex := cx.ex
	t := newTask(ex, f, opts)
	ex.admit(&t.Task, trace.SourceTask, cx.task.id)
	return JoinHandle[T]{t: t}
}

// inject hands t, whose single push the caller owns, to the executor from
// any goroutine.
func (ex *Executor) inject(t *Task) {
	ex.wakes.push(t)
	if ex.sleeping.Load() && ex.sleeping.CompareAndSwap(true, false) {
		ex.driver.Unpark()
	}
}

// wakeLocal is Task.wake on the executor's own goroutine: a task that
// becomes ready goes straight to the scheduler.
func (ex *Executor) wakeLocal(t *Task, src trace.Source, from uint64) {
	for {
		s := t.state.Load()
		if s&(stateCompleted|stateClosed) != 0 {
			return
		}
		if s&stateScheduled != 0 {
			if ex.sink != nil {
				ex.traceWoken(t, src, from, "coalesced")
			}
			return
		}
		if !t.state.CompareAndSwap(s, s|stateScheduled) {
			continue
		}
		if ex.sink != nil {
			ex.traceWoken(t, src, from, "")
		}
		if s&stateRunning == 0 {
			ex.enqueue(t)
		} else {
			t.wokenBy.Store(wokeTraced) // re-queued when the poll ends
		}
		return
	}
}

// wakeFromTask fires a waker on behalf of task from, on the executor's
// goroutine.
func (ex *Executor) wakeFromTask(t *Task, from uint64) {
	if t.ex == ex {
		ex.wakeLocal(t, trace.SourceTask, from)
	} else {
		t.wake(trace.SourceTask, from)
	}
}

// enqueue puts a scheduled task on the run queue. Executor goroutine only.
func (ex *Executor) enqueue(t *Task) {
	ex.sched.Push(t)
	if ex.sink != nil {
		e := ex.event(trace.Queued, t.id)
		e.Queue = ex.sched.Len()
		ex.emit(e)
	}
}

// admit registers a new task and puts it on the run queue. It is traced as
// one Spawned event, whose Queue says the task is queued.
func (ex *Executor) admit(t *Task, src trace.Source, from uint64) {
	t.registered = true
	l := &ex.live
	t.prevLive, t.nxLive = l.prevLive, l
	l.prevLive.nxLive = t
	l.prevLive = t
	ex.nLive++
	ex.stats.Spawned++
	ex.sched.Push(t)
	if ex.sink != nil {
		e := ex.event(trace.Spawned, t.id)
		e.Name = t.Name()
		e.By, e.From = src, from
		e.Queue = ex.sched.Len()
		ex.emit(e)
	}
}

func (ex *Executor) unregister(t *Task) {
	t.prevLive.nxLive = t.nxLive
	t.nxLive.prevLive = t.prevLive
	t.prevLive, t.nxLive = nil, nil
	ex.nLive--
}

// drainWakes moves every task pushed by other goroutines onto the run
// queue.
func (ex *Executor) drainWakes() {
	for t := ex.wakes.takeAll(); t != nil; {
		n := t.next
		t.next = nil
		by := t.wokenBy.Load()
		src, from := trace.Source(by>>56), by&wokeFromMask
		if !t.registered {
			ex.admit(t, src, from)
		} else {
			if ex.sink != nil {
				ex.traceWoken(t, src, from, "")
			}
			ex.enqueue(t)
		}
		t = n
	}
}

// BlockOn runs the executor on the calling goroutine until main completes,
// and returns main's output — or, if main panicked or was cancelled, the
// error. Other tasks still pending stay on the executor; Close cancels
// them. BlockOn must not be called from inside a task, nor from two
// goroutines at once.
func BlockOn[T any](ex *Executor, main Future[T], opts ...SpawnOption) (T, error) {
	if ex.inBlock {
		panic("executor: BlockOn called while the executor is already running (from inside a task?)")
	}
	if ex.closed.Load() {
		var zero T
		return zero, ErrClosed
	}
	if ex.fatal != nil {
		var zero T
		return zero, ex.driverFailed()
	}
	ex.inBlock = true
	defer func() { ex.inBlock = false }()
	if len(opts) == 0 {
		opts = []SpawnOption{WithName("main")}
	}
	t := newTask(ex, main, opts)
	ex.admit(&t.Task, trace.SourceExecutor, 0)
	ex.loop(&t.Task)
	if !t.finished {
		// The driver failed: main stays on the executor for Close.
		var zero T
		return zero, ex.driverFailed()
	}
	r, _ := JoinHandle[T]{t: t}.Result()
	return r.Value, r.Err
}

// driverFailed wraps the driver's fatal error.
func (ex *Executor) driverFailed() error {
	return fmt.Errorf("executor: driver failed: %w", ex.fatal)
}

// checkDriver stops the loop if the driver has failed for good.
func (ex *Executor) checkDriver() bool {
	if err := ex.failer.Err(); err != nil {
		ex.fatal = err
		return false
	}
	return true
}

// Run runs main on a new executor and closes it: the one-call way to run
// a future.
func Run[T any](main Future[T], opts ...Option) (T, error) {
	ex := New(opts...)
	defer ex.Close()
	return BlockOn(ex, main)
}

// loop is the executor: turns until main has finished, or the driver
// failed.
func (ex *Executor) loop(main *Task) {
	for !main.finished && ex.fatal == nil {
		ex.turns(main)
	}
}

// turns runs loop turns until main has finished. A panic in a task's Poll
// unwinds to here: the deferred recoverPoll turns it into that task's
// *PanicError, turns returns, and loop calls it again. One defer for many
// turns instead of one per poll keeps panic safety off the hot path; a
// turn cut short by a panic just ends early, its other tasks still queued.
func (ex *Executor) turns(main *Task) {
	defer ex.recoverPoll()
	for !main.finished {
		ex.stats.Turns++
		ex.drainWakes()
		n := ex.sched.Len()
		if ex.sink != nil {
			e := ex.event(trace.Turn, 0)
			e.Queue = n
			ex.emit(e)
		}
		// Poll only the tasks ready at the start of the turn: a task that
		// wakes itself goes to the back and waits for the next turn, so
		// the wake list is looked at between turns and nobody starves.
		for ; n > 0 && !main.finished; n-- {
			ex.run(ex.sched.Pop())
		}
		if main.finished {
			return
		}
		if ex.sched.Len() == 0 {
			ex.park()
		} else if ex.driverPolls {
			// Busy: give the driver its non-blocking turn (phase 2
			// submits SQEs and reaps CQEs here) without sleeping.
			ex.driver.Poll()
		} else {
			continue
		}
		if ex.failer != nil && !ex.checkDriver() {
			return // a driver that failed would make us spin: stop
		}
	}
}

// recoverPoll, deferred by turns, catches a panic from the task being
// polled. A panic anywhere else (no task being polled) is the runtime's
// own bug and goes on up.
func (ex *Executor) recoverPoll() {
	r := recover()
	if r == nil {
		return
	}
	t := ex.cx.task
	if t == nil {
		panic(r)
	}
	ex.cx.task = nil
	pe, ok := r.(*PanicError)
	if ok && pe.Task == 0 {
		// A coroutine recovered its own panic to keep its stack
		// (async.go) and re-raised it here.
		pe.Task = t.id
	} else {
		pe = &PanicError{Task: t.id, Value: r, Stack: debug.Stack()}
	}
	// No PollEnded: the poll did not return. Panicked is how it ended (a
	// poll-ended pending here would read as a lost wakeup).
	ex.panicked(t, pe)
}

// park sleeps in the driver until a waker fires from another goroutine.
func (ex *Executor) park() {
	if ex.sink != nil {
		ex.emit(ex.event(trace.Parked, 0))
	}
	ex.stats.Parks++
	ex.sleeping.Store(true)
	reason := "work already waiting"
	if ex.wakes.empty() {
		reason = ex.driver.Park()
	}
	ex.sleeping.Store(false)
	if ex.sink != nil {
		e := ex.event(trace.Unparked, 0)
		e.Note = reason
		ex.emit(e)
	}
}

// run polls one task taken from the run queue, or drops it if it was
// cancelled: the middle rows of the transition table in task.go. A panic
// in the task's Poll propagates to turns.
func (ex *Executor) run(t *Task) {
	// scheduled → running, unless the task was closed while queued.
	for {
		s := t.state.Load()
		if s&stateClosed != 0 {
			t.clear(stateScheduled)
			ex.finish(t, ErrCancelled)
			return
		}
		if t.state.CompareAndSwap(s, (s&^stateScheduled)|stateRunning) {
			break
		}
	}
	ex.stats.Polls++
	if ex.sink != nil {
		ex.emit(ex.event(trace.PollStarted, t.id))
	}
	ex.cx.task = t
	ready := t.r.poll(&ex.cx) // a panic here unwinds to turns
	ex.cx.task = nil
	if ex.sink != nil {
		e := ex.event(trace.PollEnded, t.id)
		e.Ready = ready
		ex.emit(e)
	}
	if ready {
		ex.complete(t)
		return
	}
	// running → idle, or back on the queue if woken during the poll, or
	// dropped if cancelled during the poll.
	for {
		s := t.state.Load()
		n := s &^ stateRunning
		if t.state.CompareAndSwap(s, n) {
			switch {
			case s&stateClosed != 0:
				// Cancelled during the poll: drop it now. A waker may have
				// set scheduled meanwhile; the task is in no queue.
				t.clear(stateScheduled)
				ex.finish(t, ErrCancelled)
			case s&stateScheduled != 0:
				if ex.sink != nil {
					// A wake from this goroutine was traced when it
					// happened; one from elsewhere is traced now.
					if by := t.wokenBy.Swap(0); by&wokeTraced == 0 {
						ex.traceWoken(t, trace.Source(by>>56), by&wokeFromMask, "during poll")
					}
				}
				ex.enqueue(t)
			}
			return
		}
	}
}

// complete finishes a task whose Poll returned Ready. A Cancel that got in
// during that poll came too late: completion wins (as in tokio), the output
// is kept for the handle, and the future — which returned Ready — is not
// dropped. If the handle was dropped or detached meanwhile, finish releases
// the output (Releaser).
func (ex *Executor) complete(t *Task) {
	for {
		s := t.state.Load()
		if t.state.CompareAndSwap(s, (s&^(stateRunning|stateScheduled))|stateCompleted|stateClosed) {
			if s&stateClosed != 0 && ex.sink != nil {
				e := ex.event(trace.Completed, t.id)
				e.Note = "a cancel came too late: completion wins"
				ex.emit(e)
				ex.finishQuiet(t, nil)
				return
			}
			ex.finish(t, nil)
			return
		}
	}
}

// panicked finishes a task whose Poll panicked.
func (ex *Executor) panicked(t *Task, perr *PanicError) {
	for {
		s := t.state.Load()
		if t.state.CompareAndSwap(s, (s&^(stateRunning|stateScheduled))|stateCompleted|stateClosed) {
			if s&stateHandle == 0 {
				ex.stats.UnhandledPanics++
				ex.stats.LastUnhandled = perr
			}
			if ex.sink != nil {
				e := ex.event(trace.Panicked, t.id)
				e.Note = fmt.Sprint(perr.Value)
				ex.emit(e)
			}
			ex.finish(t, perr)
			return
		}
	}
}

// finish publishes a task's outcome, drops what it holds, and takes it off
// the live list.
func (ex *Executor) finish(t *Task, err error) {
	if ex.sink != nil {
		switch err {
		case nil:
			ex.emit(ex.event(trace.Completed, t.id))
		case ErrCancelled:
			ex.emit(ex.event(trace.Cancelled, t.id))
		}
	}
	ex.finishQuiet(t, err)
}

// finishQuiet is finish without the trace event.
func (ex *Executor) finishQuiet(t *Task, err error) {
	t.r.finish(err)
	if t.registered {
		ex.unregister(t)
	}
	t.finished = true
}

// unwindPanic records a panic raised while a cancelled task was torn down
// — in a deferred function of its coroutine, or in a Drop — where no
// handle can receive it: counted in Stats, traced as Panicked. Never
// silent. Executor goroutine only.
func (ex *Executor) unwindPanic(task uint64, pe *PanicError) {
	if pe.Task == 0 {
		pe.Task = task
	}
	ex.stats.UnwindPanics++
	ex.stats.LastUnhandled = pe
	if ex.sink != nil {
		e := ex.event(trace.Panicked, task)
		e.Note = "while unwinding after cancel: " + fmt.Sprint(pe.Value)
		ex.emit(e)
	}
}

// Close cancels every task still on the executor and drops their futures
// (stopping their coroutines), on the calling goroutine. Call it once
// BlockOn has returned and the executor is no longer needed; later Spawns
// yield ErrClosed, and a Spawn racing with Close is the caller's bug.
// Close is idempotent.
func (ex *Executor) Close() {
	if ex.inBlock {
		panic("executor: Close called from inside a task")
	}
	ex.closed.Store(true)
	ex.drainWakes()
	for ex.sched.Pop() != nil {
	}
	for t := ex.live.nxLive; t != &ex.live; t = ex.live.nxLive {
		ex.stats.LiveTasksAtClose++
		t.cancel()
		t.clear(stateScheduled)
		ex.finish(t, ErrCancelled)
	}
	// Tasks cancelled above were pushed again to the wake list; forget
	// them: they are finished.
	for t := ex.wakes.takeAll(); t != nil; {
		n := t.next
		t.next = nil
		if !t.finished {
			ex.finish(t, ErrCancelled)
		}
		t = n
	}
}

// event returns the reusable event, stamped with the next sequence
// number, the time and the executor; the caller fills in details and
// emits it. Executor goroutine only, and only when ex.sink != nil.
//
// Reading the clock costs about 30 ns here, more than recording an event,
// so the executor reads it only where time moves on for the learner: at
// each turn, poll and park. Events in between carry that reading.
func (ex *Executor) event(k trace.Kind, task uint64) *trace.Event {
	ex.seq++
	switch k {
	case trace.Turn, trace.PollStarted, trace.Parked, trace.Unparked:
		ex.now = int64(time.Since(ex.start))
	}
	ex.ev = trace.Event{
		Seq:  ex.seq,
		Time: ex.now,
		Exec: ex.id,
		Task: task,
		Kind: k,
	}
	return &ex.ev
}

func (ex *Executor) emit(e *trace.Event) { ex.sink.Event(e) }

func (ex *Executor) traceWoken(t *Task, src trace.Source, from uint64, note string) {
	e := ex.event(trace.Woken, t.id)
	e.By, e.From, e.Note = src, from, note
	ex.emit(e)
}
