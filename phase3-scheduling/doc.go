// Package scheduling is phase 3 of the workbook: the executor of phase 1,
// driven by the reactor of phase 2, learns to share its one thread fairly
// and on time. It plugs into the executor's two seams and copies nothing:
//
//   - the Scheduler seam gets task queues with shares and latency classes,
//     picked by least virtual runtime (Scheduler, Queue);
//   - a running task can ask, for the price of one memory load, whether it
//     should give the CPU back (NeedPreempt, YieldIfNeeded, MaybeYield).
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
package scheduling
