//go:build linux

package pools

import (
	"errors"
	"strings"
	"testing"
	"time"

	executor "asyncworkbook/phase1-executor"
	iouring "asyncworkbook/phase2-iouring"
	scheduling "asyncworkbook/phase3-scheduling"
)

// spinFor burns the CPU for d without a system call (a compute step).
func spinFor(d time.Duration) {
	for start := time.Now(); time.Since(start) < d; {
	}
}

// A latency-matters queue on a pool executor is polled before the
// throughput queue's backlog: 64 batch tasks keep executor 0 busy (each
// spins 20 µs a poll and wakes itself, 4 polls each), the 10th batch poll
// wakes the interactive task, and the interactive task must run at the
// next pick — on a FIFO executor it would wait behind every batch task
// already queued. The batch task that woke it also sees NeedPreempt turn
// true at once: phase 3's preemption reaches pool tasks.
func TestALatencyQueueIsPolledBeforeTheBacklogOnAPoolExecutor(t *testing.T) {
	p := newPool(t, Unbound(1), Options{Queues: []QueueSpec{
		{Name: "batch", Shares: scheduling.Static(1000), Latency: scheduling.NotImportant},
		{Name: "interactive", Shares: scheduling.Static(100), Latency: scheduling.Matters(time.Millisecond)},
	}})
	e := p.Executor(0)
	batch, err := e.Queue("batch")
	if err != nil {
		t.Fatal(err)
	}
	inter, err := e.Queue("interactive")
	if err != nil {
		t.Fatal(err)
	}
	const tasks, polls, wakeAt = 64, 4, 10
	type result struct {
		log         []string // "b" per batch poll, "I" for the interactive task; executor 0 only
		wokeAt      int      // batch polls before the wake
		ranAt       int      // batch polls before the interactive task ran
		preemptSeen bool
	}
	got := await(t, p, 0, executor.Async(func(a *executor.Awaiter) result {
		var r result
		batchPolls := 0
		var interWaker executor.Waker
		var hs []executor.Future[executor.Result[struct{}]]
		interH := executor.Spawn(e.ex, executor.Future[struct{}](executor.PollFn(func(cx *executor.Context) executor.Poll[struct{}] {
			if interWaker.IsZero() {
				interWaker = cx.WakerFor("test: woken by the 10th batch poll")
				return executor.Pending[struct{}]()
			}
			r.ranAt = batchPolls
			r.log = append(r.log, "I")
			return executor.PollReady(struct{}{})
		})), scheduling.In(inter))
		// Let the interactive task register its waker before the load.
		for interWaker.IsZero() {
			executor.Await(a, executor.YieldNow())
		}
		for range tasks {
			n := 0
			h := executor.Spawn(e.ex, executor.Future[struct{}](executor.PollFn(func(cx *executor.Context) executor.Poll[struct{}] {
				spinFor(20 * time.Microsecond)
				batchPolls++
				r.log = append(r.log, "b")
				if batchPolls == wakeAt {
					r.wokeAt = batchPolls
					cx.Wake(interWaker)
					r.preemptSeen = e.Runtime().Scheduler().NeedPreempt()
				}
				if n++; n == polls {
					return executor.PollReady(struct{}{})
				}
				cx.Wake(cx.Waker())
				return executor.Pending[struct{}]()
			})), scheduling.In(batch))
			hs = append(hs, h)
		}
		executor.Await(a, executor.Join(hs...))
		executor.Await(a, executor.Future[executor.Result[struct{}]](interH))
		return r
	}))
	if got.wokeAt != wakeAt {
		t.Fatalf("the interactive task was woken after %d batch polls, want %d", got.wokeAt, wakeAt)
	}
	// The run in progress ends at the next pick: the interactive task is
	// the first poll after the wake.
	if got.ranAt != wakeAt {
		t.Errorf("the interactive task ran after %d batch polls; it was woken after %d and should run next (the latency queue's activation ends the batch run)\npoll order: %s",
			got.ranAt, wakeAt, strings.Join(got.log, ""))
	}
	if !got.preemptSeen {
		t.Error("NeedPreempt was false in the batch task right after it woke a latency queue's task")
	}
}

// A task sleeping on the runtime's wheel, on an otherwise idle executor,
// costs one park with one kernel timeout and wakes at its deadline: the
// executor does not spin or tick while it waits.
func TestASleepOnAPoolExecutorIsOneParkUntilTheDeadline(t *testing.T) {
	p := newPool(t, Unbound(2), Options{})
	e := p.Executor(1)
	type counters struct {
		drv  scheduling.DriverStats
		park iouring.ParkStats
	}
	read := func() counters { return counters{e.Runtime().Driver().Stats(), e.Reactor().ParkStats()} }
	const d = 20 * time.Millisecond
	type result struct {
		before, after counters
		slept         time.Duration
	}
	got := await(t, p, 1, executor.Async(func(a *executor.Awaiter) result {
		var r result
		r.before = read()
		start := time.Now()
		executor.Await(a, e.Runtime().Sleep(d))
		r.slept = time.Since(start)
		r.after = read()
		return r
	}))
	drv := func(f func(scheduling.DriverStats) uint64) uint64 { return f(got.after.drv) - f(got.before.drv) }
	parks := drv(func(s scheduling.DriverStats) uint64 { return s.Parks })
	timed := drv(func(s scheduling.DriverStats) uint64 { return s.TimedParks })
	deadlines := drv(func(s scheduling.DriverStats) uint64 { return s.Deadlines })
	fired := drv(func(s scheduling.DriverStats) uint64 { return s.TimersFired })
	kernelParks := got.after.park.Parks - got.before.park.Parks
	kernelDeadlines := got.after.park.Deadlines - got.before.park.Deadlines
	if got.slept < d {
		t.Errorf("slept %v, want at least %v", got.slept, d)
	}
	if parks != 1 || timed != 1 || deadlines != 1 || fired != 1 || kernelParks != 1 || kernelDeadlines != 1 {
		t.Errorf("during a %v sleep: %d parks (%d with a deadline, %d ended by it), %d timers fired; the reactor parked %d times with a timeout, %d ended by it; want 1 of each",
			d, parks, timed, deadlines, fired, kernelParks, kernelDeadlines)
	}
}

// Each executor's ring gets the setup flags asked for, and the report
// says so; phase 3's preemption ring never gets DEFER_TASKRUN (its CQ is
// read without entering the kernel), and a task spinning in one long poll
// on such an executor still hears its slice end.
func TestRingSetupFlagsAreReportedAndThePreemptRingStaysEnterFree(t *testing.T) {
	for _, tc := range []struct {
		setup RingSetup
		want  string
	}{
		{RingCoopTaskrun, "COOP_TASKRUN"},
		{RingSingleIssuer, "SINGLE_ISSUER"},
		{RingDeferTaskrun, "DEFER_TASKRUN"},
	} {
		t.Run(tc.setup.String(), func(t *testing.T) {
			p := newPool(t, Unbound(1), Options{Ring: tc.setup})
			e := p.Executor(0)
			if e.Reactor().RingKind() != "io_uring" {
				t.Skipf("not on io_uring: %s", e.Reactor().RingKind())
			}
			if tc.setup != RingCoopTaskrun && strings.Contains(e.Reactor().SetupFlags(), "refused") {
				t.Skipf("the kernel refused a flag: %s", e.Reactor().SetupFlags())
			}
			flags, ok := e.Runtime().Scheduler().PreemptRingFlags()
			spun := await(t, p, 0, executor.PollFn(func(cx *executor.Context) executor.Poll[time.Duration] {
				s := e.Runtime().Scheduler()
				start := time.Now()
				for !s.NeedPreempt() && time.Since(start) < time.Second {
				}
				return executor.PollReady(time.Since(start))
			}))
			rep := p.Shutdown(time.Second)
			r := rep.Executors[0]
			if _, open := e.Runtime().Scheduler().PreemptRingFlags(); open {
				t.Error("the preemption ring is still open after Shutdown: the runtime was not closed")
			}
			if !strings.Contains(r.Setup, tc.want) || !strings.Contains(rep.String(), tc.want) {
				t.Errorf("ring setup %v: the report says %q (%s), want %s", tc.setup, r.Setup, strings.TrimSpace(rep.String()), tc.want)
			}
			if !ok {
				t.Skipf("the preemption signal is not a ring here: %s", r.Preempt)
			}
			if flags&(1<<13) != 0 || strings.Contains(r.Preempt, "DEFER_TASKRUN") { // IORING_SETUP_DEFER_TASKRUN
				t.Errorf("the preemption ring got DEFER_TASKRUN (flags %#x, %q): its timeout CQE would wait for an enter that never comes", flags, r.Preempt)
			}
			// The slice is 0.5 ms; the ring's signal comes about 20 µs
			// late, the Go timer's about 1 ms. A ring whose CQE waits for
			// an enter would let the task spin the whole second.
			if spun > 100*time.Millisecond {
				t.Errorf("a task spinning in one poll heard NeedPreempt after %v; the slice is %v", spun, scheduling.DefaultSlice)
			}
		})
	}
}

func TestQueueSpecsAreCheckedAndUnknownQueuesNamed(t *testing.T) {
	for name, qs := range map[string][]QueueSpec{
		"empty name": {{Shares: scheduling.Static(1)}},
		"twice":      {{Name: "a", Shares: scheduling.Static(1)}, {Name: "a", Shares: scheduling.Static(2)}},
		"default":    {{Name: "default", Shares: scheduling.Static(1)}},
		"bad shares": {{Name: "a", Shares: scheduling.Static(0)}},
	} {
		t.Run(name, func(t *testing.T) {
			if p, err := New(Unbound(1), Options{Queues: qs}); err == nil {
				p.Shutdown(time.Second)
				t.Fatalf("New with queues %+v: no error", qs)
			}
		})
	}
	p := newPool(t, Unbound(1), Options{Queues: []QueueSpec{{Name: "web", Shares: scheduling.Static(10)}}})
	if _, err := p.Executor(0).Queue("db"); err == nil || !strings.Contains(err.Error(), "default, web") {
		t.Fatalf("Queue(\"db\"): %v, want an error naming the queues there are", err)
	}
}

// SubmitTo's spawn options reach the task on the destination: given one
// of the destination's queues, the submitted task runs in that queue.
func TestSubmitToRunsInTheQueueItNames(t *testing.T) {
	p := newPool(t, Unbound(2), Options{Queues: []QueueSpec{{Name: "web", Shares: scheduling.Static(500), Latency: scheduling.Matters(time.Millisecond)}}})
	web, err := p.Executor(1).Queue("web")
	if err != nil {
		t.Fatal(err)
	}
	ranIn := func() executor.Future[string] {
		return executor.PollFn(func(cx *executor.Context) executor.Poll[string] {
			q := p.Current(cx).Runtime().Scheduler().Current()
			if q == nil {
				return executor.PollReady("no queue")
			}
			return executor.PollReady(q.Name())
		})
	}
	got := await(t, p, 0, executor.Async(func(a *executor.Awaiter) []string {
		in := executor.Await(a, SubmitTo(p, 1, ranIn, scheduling.In(web)))
		plain := executor.Await(a, SubmitTo(p, 1, ranIn))
		return []string{in.Value, plain.Value}
	}))
	if got[0] != "web" || got[1] != "default" {
		t.Fatalf("submitted tasks ran in queues %q (with In(web)) and %q (without); want web and default", got[0], got[1])
	}
}

// An executor whose ring fails for good stops, and the report says why
// instead of passing it over.
func TestAnExecutorWhoseRingFailsIsReportedWithItsError(t *testing.T) {
	p := newPool(t, Unbound(1), Options{})
	e := p.Executor(0)
	// Closing the reactor from a task on it (its own thread) makes the
	// executor's next park fail with iouring.ErrClosed.
	if got := await(t, p, 0, executor.PollFn(func(*executor.Context) executor.Poll[error] {
		return executor.PollReady(e.Reactor().Close())
	})); got != nil {
		t.Fatalf("closing the ring: %v", got)
	}
	// Its next park fails; only then shut down, or the stop request could
	// reach it first and it would leave the ordinary way, before parking.
	<-e.ended
	rep := p.Shutdown(time.Second)
	if r := rep.Executors[0]; !errors.Is(r.RunErr, iouring.ErrClosed) || !strings.Contains(rep.String(), "stopped early") {
		t.Fatalf("the executor's run error is %v; the report says:\n%s", r.RunErr, rep)
	}
}

// TestWorkForAnExecutorThatStoppedEarlyIsRefusedAndNotWaitedFor: once an
// executor's ring has failed, Spawn and SubmitTo towards it fail with its
// error, and Shutdown does not wait for the tasks it can never run — here
// one admitted just before it died (a request still in its channel).
func TestWorkForAnExecutorThatStoppedEarlyIsRefusedAndNotWaitedFor(t *testing.T) {
	p := newPool(t, Unbound(2), Options{})
	e := p.Executor(0)
	if got := await(t, p, 0, executor.PollFn(func(*executor.Context) executor.Poll[error] {
		return executor.PollReady(e.Reactor().Close())
	})); got != nil {
		t.Fatalf("closing the ring: %v", got)
	}
	<-e.ended
	if _, err := Spawn(p, 0, executor.Ready(1)); !errors.Is(err, ErrExecutorStopped) || !errors.Is(err, iouring.ErrClosed) {
		t.Fatalf("Spawn on the stopped executor: %v, want ErrExecutorStopped wrapping ErrClosed", err)
	}
	res := await(t, p, 1, SubmitTo(p, 0, func() executor.Future[int] { return executor.Ready(1) }))
	if !errors.Is(res.Err, ErrExecutorStopped) {
		t.Fatalf("SubmitTo the stopped executor: %+v, want ErrExecutorStopped", res)
	}
	e.live.Add(1) // admitted just before the executor died: it never runs
	rep := p.Shutdown(5 * time.Second)
	if !rep.Executors[1].Drained {
		t.Fatalf("Shutdown waited for the stopped executor's tasks until the deadline:\n%s", rep)
	}
}
