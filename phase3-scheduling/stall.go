package scheduling

import (
	"bytes"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	executor "asyncworkbook/phase1-executor"
	"asyncworkbook/phases/trace"
)

// A stall is a task that keeps the executor's goroutine longer than a
// threshold without returning from its poll: every other task, timer and
// completion of the executor waits. The Watchdog notices one *while it
// happens* (Seastar reports during the stall; Glommio only after), and
// says which queue and task, with the executor goroutine's stack — the
// line the task is stuck on.
//
// # How it notices
//
// The scheduler counts polls (an atomic counter bumped in Pop) and
// publishes the task it is about to poll. A watchdog goroutine looks
// every threshold: if a task is running and the counter has not moved
// since its last look, that task has been in one poll for at least a
// threshold. It reports, then waits twice as long before reporting the
// same stall again (Seastar doubles too), so a stall of a minute makes a
// handful of reports, not thousands.
//
// An idle executor has no running task: the watchdog then sleeps on a
// channel until the next slice starts (the scheduler kicks it, with the
// same "only if it sleeps" handshake as the executor's own parking), so
// an idle runtime has no periodic wakeups here either.
//
// Time is wall-clock time, not the thread's CPU time (Seastar uses
// CLOCK_THREAD_CPUTIME_ID): a Go goroutine migrates between threads, so
// there is no one thread to ask. An executor descheduled by the OS for
// a threshold is reported as a stall too; the report says so.
type Watchdog struct {
	s         *Scheduler
	threshold time.Duration
	report    func(StallReport)
	sink      trace.Sink
	exec      uint32
	start     time.Time

	stopc chan struct{}
	kick  chan struct{}
	done  sync.WaitGroup
}

// StallReport describes one stall, as seen while it lasts.
type StallReport struct {
	Task    uint64        // the task in its poll
	Name    string        // its name, if it has one
	Queue   string        // its task queue
	For     time.Duration // how long the poll has lasted so far (at least)
	Reports int           // 1 for the first report of this stall, 2 for the next...
	Stack   string        // the executor goroutine's stack, from runtime.Stack
}

// String renders the report as a few lines for a log.
func (r StallReport) String() string {
	name := r.Name
	if name == "" {
		name = "(unnamed)"
	}
	return fmt.Sprintf("stall: task T%d %s in queue %q has been in one poll for %v (report %d)\n%s",
		r.Task, name, r.Queue, r.For.Round(time.Millisecond), r.Reports, r.Stack)
}

// watch is the scheduler's half: what the watchdog reads from another
// goroutine. Every field is an atomic.
type watch struct {
	polls   atomic.Uint64                 // bumped by Pop
	running atomic.Pointer[executor.Task] // the task being polled; nil when parked
	since   atomic.Int64                  // when running was set, by the scheduler's clock
	asleep  atomic.Bool                   // the watchdog waits for a kick
	kick    chan struct{}                 // capacity 1; nil without a watchdog
	goid    atomic.Uint64                 // the executor goroutine's id, from its stack
}

// WithStallDetector starts a Watchdog reporting polls longer than
// threshold (> 0) to report (nil: only the trace event).
func WithStallDetector(threshold time.Duration, report func(StallReport)) RuntimeOption {
	return func(c *runtimeConfig) { c.stallAfter, c.stallOut = threshold, report }
}

func startWatchdog(rt *Runtime, threshold time.Duration, report func(StallReport), sink trace.Sink) *Watchdog {
	w := &Watchdog{s: rt.sched, threshold: threshold, report: report, sink: sink, exec: rt.ex.ID(),
		start: time.Now(), stopc: make(chan struct{}), kick: make(chan struct{}, 1)}
	rt.sched.watch.kick = w.kick
	w.done.Add(1)
	go w.loop()
	return w
}

// poll is called by the scheduler's Pop, with a watchdog only: one poll
// more, of task t, starting at now (a reading of the scheduler's clock).
// The watchdog is kicked only if it sleeps. Executor goroutine.
func (wt *watch) poll(t *executor.Task, now time.Duration) {
	wt.polls.Add(1)
	wt.since.Store(int64(now))
	wt.running.Store(t)
	if wt.goid.Load() == 0 {
		wt.goid.Store(currentGoroutineID())
	}
	if wt.asleep.Load() && wt.asleep.CompareAndSwap(true, false) {
		wt.kick <- struct{}{}
	}
}

func (w *Watchdog) loop() {
	defer w.done.Done()
	wt := &w.s.watch
	t := time.NewTimer(w.threshold)
	defer t.Stop()
	for {
		// Sleep until a slice starts. Store asleep, then look at running:
		// the scheduler stores running, then loads asleep — one of the
		// two sees the other (sequentially consistent atomics).
		if wt.running.Load() == nil {
			wt.asleep.Store(true)
			if wt.running.Load() == nil {
				select {
				case <-w.kick:
				case <-w.stopc:
					return
				}
			} else if !wt.asleep.CompareAndSwap(true, false) {
				<-w.kick // the scheduler saw us asleep and kicked: take it
			}
		}
		w.watchBusy(t)
		select {
		case <-w.stopc:
			return
		default:
		}
	}
}

// watchBusy looks every threshold until the executor has no running task.
func (w *Watchdog) watchBusy(t *time.Timer) {
	wt := &w.s.watch
	lastPolls, lastTask := wt.polls.Load(), wt.running.Load()
	wait, reports := w.threshold, 0
	for {
		t.Reset(wait)
		select {
		case <-w.stopc:
			return
		case <-t.C:
		}
		polls, task := wt.polls.Load(), wt.running.Load()
		if task == nil {
			return
		}
		if polls != lastPolls || task != lastTask {
			lastPolls, lastTask, wait, reports = polls, task, w.threshold, 0
			continue
		}
		reports++
		w.fire(task, reports)
		wait *= 2
	}
}

func (w *Watchdog) fire(t *executor.Task, n int) {
	r := StallReport{Task: t.ID(), Name: t.Name(), Reports: n,
		For:   w.s.clock.Now() - time.Duration(w.s.watch.since.Load()),
		Stack: goroutineStack(w.s.watch.goid.Load())}
	r.Queue = w.s.def.name
	if q, ok := t.Class().(*Queue); ok && q.s == w.s {
		r.Queue = q.name // name is constant after NewQueue
	}
	// The report first: a sink may block (the visualiser's stepper waits
	// for the learner), and the report must not wait behind it.
	if w.report != nil {
		w.report(r)
	}
	if w.sink != nil {
		w.sink.Event(&trace.Event{Exec: w.exec, Task: r.Task, Kind: trace.Stall,
			Time: int64(time.Since(w.start)), Name: r.Queue, Dur: int64(r.For),
			Note: fmt.Sprintf("in one poll for %v (report %d)", r.For.Round(time.Millisecond), n)})
	}
}

// stop ends the watchdog and waits for its goroutine.
func (w *Watchdog) stop() {
	close(w.stopc)
	w.done.Wait()
}

// currentGoroutineID reads the calling goroutine's id from the first line
// of its stack ("goroutine 17 [running]:"). Once per runtime.
func currentGoroutineID() uint64 {
	var buf [64]byte
	b := buf[:runtime.Stack(buf[:], false)]
	b = bytes.TrimPrefix(b, []byte("goroutine "))
	var id uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			break
		}
		id = id*10 + uint64(c-'0')
	}
	return id
}

// goroutineStack returns the stack of goroutine id, from a dump of all
// goroutines (which briefly stops the world: fine during a stall).
func goroutineStack(id uint64) string {
	buf := make([]byte, 1<<16)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	head := []byte(fmt.Sprintf("goroutine %d [", id))
	i := bytes.Index(buf, head)
	if i < 0 {
		return fmt.Sprintf("(goroutine %d not found)", id)
	}
	rest := buf[i:]
	if j := bytes.Index(rest, []byte("\n\n")); j >= 0 {
		rest = rest[:j]
	}
	return string(rest)
}
