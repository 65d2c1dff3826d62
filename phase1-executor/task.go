package executor

import (
	"sync/atomic"

	"asyncworkbook/phases/trace"
)

// A task is a future the executor owns, plus the bookkeeping to poll it at
// the right time: one allocation holds the state word, the future, and the
// slot its output goes to (see task[T] in joinhandle.go).
//
// # The state word
//
// Every question "may I queue this task?", "may I poll it?", "did it
// finish?" is answered by one atomic uint32, changed only by
// compare-and-swap, so a waker fired from several goroutines at once
// queues the task exactly once. Bits:
//
//	scheduled  the task is in a run queue or the wake list, or will be
//	           put back in the run queue when the current poll ends
//	running    the executor is inside the task's Poll
//	completed  Poll returned Ready (or panicked); the outcome went to the handle
//	closed     the future is dropped, or will be at the executor's next look:
//	           the task will never be polled again
//	handle     a JoinHandle still wants the outcome (cleared by Detach)
//	released   an output nobody takes was released (Releaser), once
//
// # Transitions
//
//	state                  event                      new state               who
//	---------------------  -------------------------  ----------------------  -------------
//	idle                   Waker fires                scheduled; pushed       waker, any goroutine
//	scheduled              Waker fires                unchanged (coalesced)   waker
//	scheduled              popped from the run queue  running                 executor
//	running                Waker fires                running|scheduled       waker
//	running                Poll → Pending             idle                    executor
//	running|scheduled      Poll → Pending             scheduled; re-queued    executor
//	running                Poll → Ready or panic      completed|closed        executor
//	not completed|closed   Cancel                     +closed (+scheduled,    canceller, any goroutine
//	                                                  pushed, when idle)
//	closed, popped         —                          future dropped, never   executor
//	                                                  polled again
//
// # Invariants
//
//  1. A task is in at most one queue at a time: only the transition that
//     sets scheduled pushes it, and only the executor, popping it, clears
//     scheduled (idle → scheduled is the single push; scheduled → running
//     is the single pop).
//  2. Only the executor's goroutine polls or drops the future, so a
//     future — and a coroutine inside it — never runs on two goroutines.
//  3. A wake that happens while running is never lost: the waker sets
//     scheduled, and the executor, ending the poll with a CAS, sees it.
//  4. completed and closed are never cleared: a finished task stays
//     finished, and wakers fired afterwards do nothing.
const (
	stateScheduled uint32 = 1 << iota
	stateRunning
	stateCompleted
	stateClosed
	stateHandle
	stateReleased
)

// Task is the part of a task every scheduler sees, whatever the type of
// its output. Schedulers hold *Task; only the executor's package can poll
// one.
type Task struct {
	state atomic.Uint32 // see the table above

	// Owned by the executor's goroutine (packed beside state to keep the
	// task in the 128-byte size class).
	registered bool // in the live list; Spawned has been traced
	finished   bool // the outcome is published; out of the live list

	// wokenBy packs who fired the last waker that queued the task
	// (source<<56 | task id). The waker stores it before the CAS that
	// queues the task; the executor loads it after taking the task from
	// the wake list, so the load sees the store (both are atomics, and
	// Go's atomics are sequentially consistent).
	wokenBy atomic.Uint64

	id   uint64    // constant after spawn
	meta *taskMeta // constant after spawn; nil when spawned without options
	ex   *Executor // constant after spawn
	r    runner    // the typed half of this same allocation; constant

	// next links the task into the wake list (inject.go). Written by the
	// goroutine that pushes the task, before the CAS that publishes it;
	// read by the executor after the Swap that takes the list. Invariant 1
	// makes the two never overlap.
	next *Task

	// The live list: every task not yet finished. Executor goroutine only.
	prevLive, nxLive *Task
}

// taskMeta holds what spawn options said about a task. Kept out of line:
// most tasks have none, and every byte of Task is paid per spawn.
type taskMeta struct {
	name  string
	class any // WithClass (class.go): which of a scheduler's queues
}

// Packing of wokenBy: the source in the top byte, the waking task's id
// below, and one flag saying the wake was already traced.
const (
	wokeFromMask uint64 = 1<<55 - 1
	wokeTraced   uint64 = 1 << 55
)

// clear removes bits from the state word.
func (t *Task) clear(bits uint32) {
	for {
		s := t.state.Load()
		if t.state.CompareAndSwap(s, s&^bits) {
			return
		}
	}
}

// ID returns the task's id, unique within its executor, from 1.
func (t *Task) ID() uint64 { return t.id }

// Name returns the name given at spawn, or "".
func (t *Task) Name() string {
	if t.meta == nil {
		return ""
	}
	return t.meta.name
}

// runner is the typed half of a task, implemented by *task[T]. Only the
// executor calls it, on its goroutine.
type runner interface {
	// poll polls the future once; on Ready it keeps the output for finish.
	poll(cx *Context) (ready bool)
	// finish publishes the outcome to the join handle: the kept output
	// when err is nil, else err. It drops the future (when the task did
	// not complete) and wakes whoever awaits the handle.
	finish(err error)
}

// wake implements Waker.WakeBy from any goroutine: the first three rows of
// the transition table.
func (t *Task) wake(src trace.Source, from uint64) {
	for {
		s := t.state.Load()
		if s&(stateCompleted|stateClosed|stateScheduled) != 0 {
			return // finished, or already queued: nothing to do
		}
		t.wokenBy.Store(uint64(src)<<56 | from)
		if !t.state.CompareAndSwap(s, s|stateScheduled) {
			continue // the state moved under us; look again
		}
		if s&stateRunning == 0 {
			// idle → scheduled: this call owns the single push.
			t.ex.inject(t)
		}
		// running → running|scheduled: the executor re-queues it when
		// the poll ends.
		return
	}
}

// cancel implements JoinHandle.Cancel from any goroutine. It reports
// whether the task will now never complete.
func (t *Task) cancel() bool {
	for {
		s := t.state.Load()
		if s&stateCompleted != 0 {
			return false
		}
		if s&stateClosed != 0 {
			return true
		}
		n := s | stateClosed
		idle := s&(stateScheduled|stateRunning) == 0
		if idle {
			n |= stateScheduled
		}
		if !t.state.CompareAndSwap(s, n) {
			continue
		}
		if idle {
			// Queue it so the executor drops the future on its own
			// goroutine (invariant 2).
			t.wokenBy.Store(uint64(trace.SourceExecutor) << 56)
			t.ex.inject(t)
		}
		return true
	}
}
