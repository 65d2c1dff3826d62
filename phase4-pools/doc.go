// Package pools is phase 4 of the workbook: many executors, each alone on
// a CPU, that share nothing and talk by messages.
//
// Phases 1 to 3 built one executor: a loop on one goroutine that polls
// tasks, parks in io_uring and schedules by shares. A machine has many
// cores, and Go's answer is to move goroutines between them (work
// stealing). Phase 4 takes the other road, the one Seastar and Glommio
// take — thread-per-core: one executor per CPU, pinned there, with its own
// ring, its own timers and its own tasks, so nothing it touches is shared
// and no lock is taken on the fast path. What executors must share they
// send to each other.
//
// # Where executors run: topology and placement
//
// The kernel describes the CPUs under /sys/devices/system/cpu: which
// package (socket), which physical core, which SMT siblings, which NUMA
// node. ReadTopology reads that, and every Placement (Unbound, Fenced,
// MaxSpread, MaxPack, Custom) is resolved against it into a Plan — always
// intersected with sched_getaffinity(2), the CPUs this process may use. In
// a container with a cpuset the online CPUs include some it may not use,
// and pinning to one of those fails with EINVAL. Plan.String is a dry run:
// the chosen CPUs against the affinity mask.
//
// # Messages between executors: the SPSC channel
//
// SPSC is a ring with one sender and one receiver. The sender writes slots
// and publishes them with one store of the tail; the receiver copies them
// out and hands slots back with one store of the head; each index sits on
// a cache line of its own. Both sides batch (BatchSize), so a burst of
// messages costs one store and at most one wakeup, and the receiver is
// woken only if it waits: a receiver that keeps up costs the sender one
// atomic load per message. The wake goes through the receiving executor,
// which writes its eventfd only if it is parked.
//
// # The pool
//
// New starts one goroutine per executor. Each locks itself to its OS
// thread first, pins that thread to its CPUs second (pinning before
// locking would pin whichever goroutine the thread runs next), then
// creates its ring and its executor there, and never unlocks: when it
// ends, Go ends the thread with it. Everything an executor owns is touched
// on that thread only — its coroutines included, which iter.Pull requires.
//
// Executors are joined by a full mesh of SPSC channels. SubmitTo sends a
// function to another executor, which runs the future it returns as a
// task and sends the answer back the same way (Seastar's submit_to). A
// flusher task, queued behind the turn's other tasks, publishes what they
// posted with one store per channel; at most Options.MaxInFlight requests
// are open from one executor to another.
//
// # Shutdown
//
// Shutdown refuses new work from outside, lets every acknowledged task
// finish — an executor leaves only when no executor of the pool has work
// left, since one that is busy may still send work to one that is idle —
// cancels what is left at the deadline, closes each ring on its own
// thread, and reports what each executor completed and cancelled.
//
// # Tracing
//
// Options.Sink receives the events of every executor, one at a time (the
// pool serializes them), so a trace.Stepper over the pool stops all of
// it at an event of any executor. Besides each executor's own events the
// pool reports phase 4's: executor started (CPU, thread), messages sent,
// published, woken and received (from, to, channel depth), SubmitTo
// started, waiting at the in-flight bound and answered, and the
// shutdown's steps; DryRun reports a placement's plan. trace.go says in
// which order they come. The workbook's visualiser draws them as the
// executors side by side.
//
// # What is still to come
//
// MSG_RING wakeups, SINGLE_ISSUER rings, phase 3's task queues inside
// each executor.
package pools
