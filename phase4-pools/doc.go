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
// creates its ring there and never unlocks: when it ends, Go ends the
// thread with it. Everything an executor owns is touched on that thread
// only — its coroutines included, which iter.Pull requires.
//
// Each executor is phase 3's Runtime on that ring (runtime.go): task
// queues with shares and latency classes (Options.Queues gives every
// executor the same ones; Executor.Queue finds one to Spawn into with
// scheduling.In, and SubmitTo takes the same option for the task it
// starts on its destination), the timer wheel
// (Executor.Runtime().Sleep; the shutdown deadline is on it too),
// parking until the next deadline with one kernel timeout, and
// NeedPreempt for long tasks. Its preemption
// timer, a second ring, is made and closed on the thread as well.
//
// Since only that thread ever enters the ring, the ring can hold the
// kernel to it: Options.Ring picks IORING_SETUP_SINGLE_ISSUER (6.0) or
// DEFER_TASKRUN (6.1, completion work only when the thread enters to
// wait), and the default is DEFER_TASKRUN. Measured on the 2-vCPU
// machine, shared with other builds, medians of runs made side by side:
//
//	                                coop     single-issuer  defer-taskrun
//	echo-pool -n 2 (yield, 3 rounds)  140.7k   150.7k        155.6k rt/s
//	echo-pool -n 2 (4 rounds)         154.8k   165.1k        157.0k rt/s
//	  server CPU per round trip       4.65 µs  4.64 µs       4.55 µs
//	BenchmarkSubmitTo one-by-one      203 µs   224 µs        190 µs
//	BenchmarkSubmitTo batch64         10.5 µs  6.2 µs        3.2 µs
//
// (the SubmitTo rows: five alternating runs of go test -run '^$' -bench
// 'SubmitTo/coop/(one-by-one|batch64)$' -benchtime 5000x ./phase4-pools/
// and the same for the other two; an earlier run with the yield of the
// next section gave 111, 128, 92 µs and 2.8, 18, 1.9 µs; the echo rows:
// echo-pool -ring through loadgen, 64 conns × 64 B, rounds interleaved,
// as bench/run.sh's pool rows do.) The echo rows differ by less than
// the noise between runs; DEFER_TASKRUN was never worse than
// COOP_TASKRUN and was best on CPU and on SubmitTo, so it is the
// default. The preemption ring never gets DEFER_TASKRUN: NeedPreempt reads its CQ
// without entering the kernel, and with it the timeout's CQE would wait
// for an enter that a spinning task never makes. The executor-started
// event and the Report say which flags each ring got.
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
// # What a wake costs, and where the time goes
//
// Waking a parked executor is an eventfd write; IORING_OP_MSG_RING
// (5.18) was measured against it (BenchmarkWakeRing, two threads parked
// in their rings: 3.3 µs per round trip of two wakes by eventfd, 3.8 µs
// by MSG_RING, medians, machine shared) and does not win; nor with the
// rings set up as the pool's are (each by its own thread; five
// alternating runs, medians): SINGLE_ISSUER 3.9 µs by eventfd, 3.5 by
// MSG_RING, DEFER_TASKRUN 3.2 and 3.7. MSG_RING would also need a ring
// on the waking side, and Spawn may come from any goroutine: the eventfd
// stays.
//
// Between pool executors a SubmitTo round trip with both parked costs
// far more, and BenchmarkWakeRing's raw ping-pong is bimodal: each run
// takes either about 2.5 µs a round trip or about 45 µs (five runs of
// each row, machine nearly idle). What decides is where the threads
// are. With the whole test process confined to one CPU (taskset -c 0)
// the slow mode is gone — 3.1 µs by MSG_RING, 3.8 µs by eventfd, and
// BenchmarkSubmitTo/defer-taskrun/one-by-one 6.3 µs against 47 µs on two
// CPUs, five runs each. A nice-19 spinner on each CPU, which keeps both
// vCPUs from halting, did not remove it: what costs is waking a thread
// on another CPU at all, about 20 µs a wake — most likely the
// inter-processor interrupt, which on a VM goes through the hypervisor
// (inferred, not measured apart). A runtime
// trace of BenchmarkSubmitTo (-trace, then go tool trace -d=parsed) shows
// it as 6–22 µs from the eventfd write to the other thread's
// io_uring_enter returning. Thread-per-core puts executors on different
// CPUs on purpose, so this is the price of a wake there; what a runtime
// can do is wake less (the SPSC's wake-only-when-parked) and park less:
// Options.SpinBeforePark = 50 µs gave 36.8 µs against 47.0 in the same
// five alternating runs (BenchmarkSubmitTo .../one-by-one-spin50us: the
// origin still spins when its answer comes; the destination, idle for
// longer than 50 µs, has parked), and with work in flight the executors
// seldom park at all (batch64: about 2–3 µs a request).
//
// The same trace showed a cost that is Go's: up to 37 µs from phase 3's
// Gosched before a blocking park to the executor running again, because
// on a locked thread a yield parks the thread itself until another
// thread hands the goroutine back. Phase 3 yields there for an unlocked
// executor (a goroutine it readied would otherwise wait in its P's
// run-next slot); the pool does not (Options.YieldBeforePark, off; phase
// 3's WithoutYieldBeforePark). Measured in one run, four interleaved
// rounds of echo-pool -n 2 through loadgen, 64 conns × 64 B, medians,
// machine loaded: 182k round trips/s and 4.6 µs of server CPU each
// without the yield, 145k and 5.1 µs with it (-yield). The idle round
// trip did not care (BenchmarkSubmitTo/defer-taskrun, five alternating
// runs, nearly idle machine: 58.3 µs without, 58.1 µs with; loaded: 78.7
// and 70.8), and the echo server, the pool's real work, decided. Phase
// 2's Reactor.Park is unchanged. Against the pool of phase-1 executors
// this package had before, on the quiet machine (four interleaved
// rounds): 223.7k round trips/s and 3.29 µs each with one executor
// against 231.2k and 3.17 µs; with two, 219.6k and 4.55 µs against
// 224.7k and 4.38 µs — phase 3's queues, wheel and clock cost about 4 %
// of the server's CPU.
//
// # What is still to come
//
// A measurement on a quiet machine of the wake's parts and of the ring
// setups (the figures above were taken with the machine loaded by other
// builds, and the echo rows of the ring setups differ by less than that
// noise).
package pools
