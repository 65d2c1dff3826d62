package runloop

// Everything in this file is given: the tasks, their wakers, the inbox
// that other goroutines push woken tasks into, the parker the loop sleeps
// in, and the tracing. Your part is in loop.go.

import (
	"sync"
	"sync/atomic"
	"time"

	"asyncworkbook/phases/check"
	"asyncworkbook/phases/trace"
)

// Future is this exercise's simplified future: Poll reports whether it is
// done. Before returning false it must hand w to something that will fire
// it (or fire it itself).
type Future interface {
	Poll(w Waker) (done bool)
}

// FutureFunc adapts a function to a Future.
type FutureFunc func(w Waker) bool

// Poll calls f(w).
func (f FutureFunc) Poll(w Waker) bool { return f(w) }

// Task is a future the executor owns.
type Task struct {
	id     uint64
	name   string
	fut    Future
	ex     *Executor
	queued atomic.Bool // in the inbox or the run queue: a wake has nothing more to do
	done   atomic.Bool // the future returned true: never poll it again
}

// ID returns the task's id, from 1 in spawn order.
func (t *Task) ID() uint64 { return t.id }

// Done reports whether the task's future has finished.
func (t *Task) Done() bool { return t.done.Load() }

// Waker wakes one task. Safe from any goroutine, any number of times.
type Waker struct{ t *Task }

// Wake asks the task's executor to poll the task again. The first wake
// since the task's last poll started calls the executor's schedule (yours)
// from the goroutine that fired it; further wakes do nothing until the
// task is polled.
func (w Waker) Wake() {
	t := w.t
	if t == nil || t.done.Load() {
		return
	}
	if !t.queued.CompareAndSwap(false, true) {
		return
	}
	t.ex.emit(trace.Woken, t.id, func(e *trace.Event) { e.By = trace.SourceGoroutine })
	t.ex.schedule(t)
}

// Spawn creates a task running f and schedules it for its first poll.
// Call it before Run, from any goroutine.
func (ex *Executor) Spawn(name string, f Future) *Task {
	t := &Task{id: ex.ids.Add(1), name: name, fut: f, ex: ex}
	ex.emit(trace.Spawned, t.id, func(e *trace.Event) { e.Name = name })
	t.queued.Store(true)
	ex.schedule(t)
	return t
}

// base is the given half of the Executor: keep it embedded.
type base struct {
	sink  trace.Sink
	exec  uint32
	seq   atomic.Uint64
	start time.Time
	ids   atomic.Uint64

	inbox  inbox
	parker parker
	stats  Stats // executor goroutine only
	// seam is where the tests make a wake land at the worst moment:
	// "inbox empty", right after a look that found nothing, before your
	// loop decides to park (package check's Seam).
	seam check.Seam
}

// Stats counts what the loop did. Read it after Run returns.
type Stats struct {
	Polls int // calls of poll
	Looks int // calls of takeWoken: one per loop turn
	Parks int // calls of park
}

var execIDs atomic.Uint32

// init sets the base up; New calls it.
func (ex *base) init(sink trace.Sink) {
	ex.sink, ex.exec, ex.start = sink, execIDs.Add(1), time.Now()
	ex.parker.token = make(chan struct{}, 1)
}

// Stats returns the loop's counters. After Run, or on its goroutine.
func (ex *base) Stats() Stats { return ex.stats }

// spinLimit is how many looks in a row may find nothing, without a park
// in between, before the loop is declared to be spinning.
const spinLimit = 1000

// takeWoken returns the tasks pushed into the inbox since the last call,
// oldest first, and empties it. Call it once per loop turn, on the loop's
// goroutine.
func (ex *base) takeWoken() []*Task {
	ex.stats.Looks++
	ts := ex.inbox.takeAll()
	ex.emit(trace.Turn, 0, func(e *trace.Event) { e.Queue = len(ts) })
	if len(ts) == 0 {
		ex.seam.At("inbox empty")
	}
	if len(ts) > 0 {
		ex.inbox.idleLooks = 0
	} else if ex.inbox.idleLooks++; ex.inbox.idleLooks >= spinLimit {
		check.Fail("your loop looked for woken tasks " + itoa(spinLimit) + " times in a row, finding none and never parking: " +
			"it spins, burning a CPU while it waits. When no task is ready and the inbox is empty, call ex.park().")
	}
	return ts
}

// push adds a woken task to the inbox, from any goroutine.
func (ex *base) push(t *Task) {
	n := ex.inbox.push(t)
	ex.emit(trace.Queued, t.id, func(e *trace.Event) { e.Queue = n; e.Note = "inbox" })
}

// poll polls t once, on the loop's goroutine. A wake from now on schedules
// t again (even one fired during this very poll). Polling a finished task
// does nothing.
func (ex *base) poll(t *Task) {
	if t.done.Load() {
		return
	}
	ex.stats.Polls++
	ex.emit(trace.PollStarted, t.id, nil)
	t.queued.Store(false)
	done := t.fut.Poll(Waker{t})
	ex.emit(trace.PollEnded, t.id, func(e *trace.Event) { e.Ready = done })
	if done {
		t.done.Store(true)
		ex.emit(trace.Completed, t.id, nil)
	}
}

// park blocks the loop's goroutine until unpark is called. An unpark that
// came before (since the last park) makes it return at once: a wake is
// never lost between "the inbox is empty" and "sleep".
func (ex *base) park() {
	ex.stats.Parks++
	ex.inbox.idleLooks = 0
	ex.emit(trace.Parked, 0, nil)
	reason := "woken"
	select {
	case <-ex.parker.token:
		reason = "an unpark came before the park"
	default:
		if ex.parker.onPark != nil {
			ex.parker.onPark(ex.stats.Parks)
		}
		<-ex.parker.token
	}
	ex.emit(trace.Unparked, 0, func(e *trace.Event) { e.Note = reason })
}

// unpark wakes the parked loop, or makes its next park return at once.
// Any goroutine.
func (ex *base) unpark() {
	select {
	case ex.parker.token <- struct{}{}:
	default:
	}
}

// inbox is where tasks woken on any goroutine wait for the loop.
type inbox struct {
	mu        sync.Mutex
	tasks     []*Task
	idleLooks int // loop goroutine only
}

func (b *inbox) push(t *Task) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.tasks = append(b.tasks, t)
	return len(b.tasks)
}

func (b *inbox) len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.tasks)
}

func (b *inbox) takeAll() []*Task {
	b.mu.Lock()
	defer b.mu.Unlock()
	ts := b.tasks
	b.tasks = nil
	return ts
}

type parker struct {
	token  chan struct{}
	onPark func(n int) // tests: called on the loop's goroutine when it is about to block
}

func (ex *base) emit(k trace.Kind, task uint64, fill func(e *trace.Event)) {
	if ex.sink == nil {
		return
	}
	e := trace.Event{Seq: ex.seq.Add(1), Time: int64(time.Since(ex.start)), Exec: ex.exec, Task: task, Kind: k}
	if fill != nil {
		fill(&e)
	}
	ex.sink.Event(&e)
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for ; n > 0; n /= 10 {
		i--
		b[i] = byte('0' + n%10)
	}
	return string(b[i:])
}
