// Package executor is phase 1 of the workbook: a single-threaded async
// executor, built from futures, wakers, tasks and join handles.
//
// # Threads and tasks
//
// A goroutine that waits for a timer or a socket sits on its own stack,
// parked by the Go scheduler until the thing it waits for happens. An async
// runtime does the same job without a stack per waiter: every waiting
// computation is a small object — a future — and one loop, the executor,
// polls the futures that can make progress. Nothing here is faster than Go's
// scheduler at being Go's scheduler; the point is to see every moving part,
// and to get a runtime whose tasks cost a hundred bytes, whose scheduling
// policy is yours (phase 3), and whose I/O goes through io_uring (phase 2).
//
// # Futures and Poll
//
// A Future[T] has one method, Poll, which either finishes (PollReady(v)) or
// says "not yet" (Pending). Before it says "not yet" it takes the waker out
// of the Context it was given and hands it to whoever will know when to try
// again: the timer goroutine behind Sleep, the other end of a Chan, the
// join handle of another task. Forgetting to do so is the classic async
// bug, the lost wakeup: nobody will ever poll the future again. The trace
// records every hand-off (WakerRegistered), so the workbook can point at a
// task that returned Pending without one.
//
// # Wakers
//
// A Waker is one pointer to a task. Firing it (Wake) asks the task's
// executor to poll the task again. It is safe from any goroutine and any
// number of times: the task's state word (task.go) makes sure a task is
// queued at most once, that a wake during a poll causes exactly one more
// poll, and that a wake after the task finished does nothing.
//
// # Tasks and join handles
//
// Spawn wraps a future into a task — one allocation holding the state
// word, the future and the slot for its output — and queues it. It returns
// a JoinHandle, itself a future, which yields the task's Result: the output,
// ErrCancelled, or a *PanicError if the task's Poll panicked (the executor
// recovers, records the value and stack, and keeps running the others).
// Cancel stops a task: if it never ran, it never will; if it waits, its
// future is dropped — Go has no destructors, so futures that hold
// something (a timer, a coroutine, child futures) implement Dropper. A
// cancel that arrives during the poll that completes the task comes too
// late: completion wins and the output is kept; an output that owns a
// resource and that nobody will take (the handle was dropped or detached)
// is released (Releaser). A driver that fails for good (Failer) stops
// BlockOn with its error instead of letting the loop spin.
//
// # The executor's loop
//
// BlockOn(ex, main) runs the loop on the calling goroutine until main is
// done:
//
//	take the tasks that other goroutines woke (the wake list, inject.go)
//	poll each task that was ready when the turn started (the Scheduler)
//	if nothing is ready, park in the Driver until a waker fires
//
// The Scheduler (FIFO here; shares and latency classes in phase 3) and the
// Driver (a channel here; the io_uring reactor in phase 2, with an eventfd
// in phase 3) are the two seams later phases plug into.
//
// # Two ways to write a task
//
// A hand-written future is a state machine: its fields are the variables
// that must survive a Pending, its states the places it can resume. That
// is exactly what Rust's async/await compiles to (see Join, Select,
// YieldNow, and the ping-pong futures in the benchmarks). Async offers the
// other way: a plain function run as a coroutine (iter.Pull), where
// Await(a, f) polls f and, while it is Pending, suspends the function
// until the task is polled again. The state machine costs only its fields;
// the coroutine costs a goroutine stack but reads like straight-line code.
// The README's table measures both.
//
// # Tracing
//
// An Executor made WithSink reports everything it does as trace events
// (package trace): spawned, poll started and ended, waker registered,
// woken (by a task, a timer or a goroutine), queued, cancelled, panicked,
// completed, parked, unparked. Every event is emitted on the executor's
// goroutine, so a Stepper sink can pause the runtime between any two of
// them. Without a sink, each event site costs one nil check.
//
// # Rejected designs
//
//   - A mutex-protected run queue shared with other goroutines: every wake
//     from inside the executor would take a lock. Instead the Scheduler is
//     owned by the executor and other goroutines push onto a lock-free
//     wake list that the executor drains once a turn.
//   - Finding out "am I on the executor's goroutine?" to take the fast
//     path in Waker.Wake: Go hides goroutine identity, and guessing from a
//     shared field is a data race. Code that is polled has a Context;
//     Context.Wake is the fast path, and it is explicit.
//   - A mutex around the join handle's output: two atomics (a published
//     flag and the awaiter) do the hand-off; see task in joinhandle.go.
//   - One recover per poll: a deferred recover around many turns catches
//     a panic just as well, off the hot path (Executor.turns).
package executor
