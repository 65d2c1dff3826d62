// Package scheduling is phase 3 of the workbook: the executor of phase 1,
// driven by the reactor of phase 2, learns to share its one thread fairly
// and on time. It plugs into the executor's two seams and copies nothing:
//
//   - the Scheduler seam gets task queues with shares and latency classes,
//     picked by least virtual runtime (Scheduler, Queue);
//   - a running task can ask, for the price of one memory load, whether it
//     should give the CPU back (NeedPreempt, YieldIfNeeded, MaybeYield);
//   - the Driver seam gets a wrapper (Driver) that keeps every timer of the
//     executor in a wheel in user space (Wheel; Sleep, Timeout, Interval)
//     and parks the base driver — phase 2's io_uring Reactor, or phase 1's
//     ChanDriver — until the next deadline, with one kernel timeout;
//   - a watchdog (WithStallDetector) reports a poll that does not return,
//     while it lasts.
//
// NewRuntime puts the pieces together:
//
//	rt := scheduling.NewRuntime(scheduling.WithBaseDriver(reactor))
//	defer rt.Close()
//	web, _ := rt.NewQueue("web", scheduling.Static(800), scheduling.Matters(time.Millisecond))
//	h := executor.Spawn(rt.Executor(), serve(), scheduling.In(web))
//
// # Task queues, shares and virtual runtime
//
// A Queue is a FIFO of ready tasks with a name, shares (1..1000, or a
// function read again every period) and a latency class. The scheduler
// runs one queue at a time, for a slice (DefaultSlice, 0.5 ms, Seastar's
// task quota), and charges the CPU time it used to the queue's virtual
// runtime, scaled by its shares:
//
//	vruntime += runtime × 1000 / shares
//
// The next queue to run is the ready one with the least vruntime. Two busy
// queues with shares 2 and 1 reach the same vruntime when the first has
// run twice as long: that is the whole of fair sharing (Linux's CFS, then
// Glommio and Seastar, do the same).
//
// A slice ends when the queue runs dry, when its time is up, when it has
// polled DefaultBudget (128, tokio's number) tasks, when a task yields,
// or when a latency-matters queue wakes up (Reason says which).
//
// # The activation rule
//
// A queue that had nothing to do did not run, so its vruntime stayed
// behind. When it becomes ready again, the scheduler must decide what its
// vruntime is. Left as it was, the queue would hoard credit: idle for an
// hour, it would then run alone for an hour. Glommio sets it to the
// least vruntime among the ready queues, plus one — which also forgets
// its debt: a queue that runs a 2 ms burst, waits a moment, and runs again
// is reset each time and takes far more than its share. Seastar takes
// max(own, least ready), and so does this package: a queue's vruntime
// never goes backwards (its debt is kept), and it never lags behind the
// ready queues (no hoarding). TestAQueueThatGoesIdleBrieflyKeepsItsDebt
// and TestAQueueIdleForLongDoesNotHoardCredit show both halves.
//
// # Latency classes
//
// Matters(d) says a task woken in the queue should be polled within d.
// Two things make it so: while such a queue is ready, no slice is longer
// than d; and when it becomes ready while another queue runs, that run is
// ended at the next Pop (and NeedPreempt turns true, so a long task that
// asks gives way at once). It still waits its turn by vruntime: a latency
// queue that used more than its shares does not jump the line.
//
// # Stats
//
// Each queue keeps its runtime, polls, slices, activations, and the delay
// from a task becoming ready to its poll, in a Histogram whose p99 is one
// call away — the number a latency class is about, which Glommio does not
// keep. The delay counts from when the task reached the scheduler: for a
// wake from another goroutine, from the loop turn that took it from the
// executor's wake list.
//
// # Preemption without a system call
//
// A slice's end must reach a task that is in the middle of one long poll.
// NeedPreempt looks at memory only: about 2 ns, no clock, no system call.
// On Linux a Runtime does what Glommio does: the slice timer is an
// IORING_OP_TIMEOUT on a second io_uring, and NeedPreempt compares that
// ring's CQ head and tail, which the kernel moves when the timer expires
// (preempt_ring_linux.go). Elsewhere, on the fallback ring, and for a
// bare Scheduler, a Go timer (time.AfterFunc) sets a bit in a word tagged
// with the slice's generation (preempt.go). Measured side by side
// (BenchmarkPreemptSignal) with a task spinning through a 200 µs slice,
// the ring's signal arrives about 20 µs late and the Go timer's about
// 1 ms late: Go runs timer callbacks when its scheduler gets to them.
// Pop reads the clock anyway, so slices end on time at poll boundaries;
// the signal is for the task inside one long poll, and so it is armed at
// the slice's first NeedPreempt, for what is left of the slice: a slice
// whose tasks never ask costs no system call. The budget (128 polls) is a
// second trigger that needs no timer.
//
// # Timers and parking
//
// The wheel has 6 levels of 64 slots (tokio's shape) and a 100 µs tick;
// insert and cancel are O(1), and NextDeadline is exact. Before the
// executor sleeps, Driver.Park ends the running slice, fires what is due,
// and parks the base with executor.TimeoutDriver.ParkTimeout(time left):
// on io_uring one io_uring_enter with IORING_ENTER_EXT_ARG (5.11), or a
// TIMEOUT SQE where that is missing (phase 2's park_deadline.go). No
// periodic tick: an idle executor with one 1 s sleep enters the kernel
// once. The wake from another goroutine is phase 1's handshake (the
// sleeping flag): only a parked executor costs a system call to wake.
//
// Seastar polls for 200 µs before it sleeps; here that is an option,
// WithSpinBeforePark, off by default (spin.go): a wake costs about 2.5 µs
// on io_uring without it, and a spinning executor burns a core another
// may need. The driver does yield to Go's scheduler before a park that
// blocks in a system call (driver.go says why).
//
// # Stalls
//
// The scheduler publishes a poll counter and the running task; a
// watchdog goroutine looks every threshold and reports, as a trace event
// and a StallReport with the executor goroutine's stack, a task whose
// poll has lasted a threshold (stall.go). It sleeps while the executor is
// idle.
//
// # Trace
//
// Every decision is traced (trace.go): queue-selected with every queue's
// vruntime and why the last run stopped, slice-ended, yielded, preempted,
// timer-armed/fired/cancelled, parked-until, eventfd-wake, stall. The
// visualiser's queue view draws them.
package scheduling
