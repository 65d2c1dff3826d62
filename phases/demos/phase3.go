package demos

import (
	"fmt"
	"time"

	executor "asyncworkbook/phase1-executor"
	scheduling "asyncworkbook/phase3-scheduling"
	"asyncworkbook/phases/trace"
)

// Phase 3's demos run on scheduling.Runtime: the phase-1 executor with
// task queues, a timer wheel and a driver that parks until the next
// deadline (on phase 1's ChanDriver, so they run everywhere). Work that
// "uses the CPU" spins on the clock for a fixed time per poll, so each
// demo takes tens of milliseconds and a few hundred events; the checks
// are about what must happen (the latency queue was polled, the stall was
// reported), not about exact counts, which depend on the machine.

// newRuntime3 returns a phase-3 runtime traced to sink (nil: untraced).
func newRuntime3(sink trace.Sink, opts ...scheduling.RuntimeOption) *scheduling.Runtime {
	if sink != nil {
		opts = append(opts, scheduling.WithSink(sink))
	}
	return scheduling.NewRuntime(opts...)
}

// spin burns about d of CPU on the executor's goroutine.
func spin(d time.Duration) {
	for start := time.Now(); time.Since(start) < d; {
	}
}

// busyTask is a CPU-bound coroutine: n polls of about per each, yielding
// between them.
func busyTask(n int, per time.Duration) executor.Future[int] {
	return executor.Async(func(a *executor.Awaiter) int {
		for range n {
			spin(per)
			executor.Await(a, executor.YieldNow())
		}
		return n
	})
}

func mustQueue(rt *scheduling.Runtime, name string, sh scheduling.Shares, lat scheduling.Latency) *scheduling.Queue {
	q, err := rt.NewQueue(name, sh, lat)
	if err != nil {
		panic(err) // the demos' arguments are constants
	}
	return q
}

func init() {
	Register(Demo{
		ID:    "p3-task-queues",
		Title: "Two busy queues share the CPU 2:1 by virtual runtime",
		About: "Queue \"gold\" has 2 shares, \"bronze\" 1; each runs a " +
			"CPU-bound task. Watch every queue-selected event: the queue " +
			"with the least vruntime runs next, and gold's vruntime grows " +
			"half as fast for the same CPU.",
		Run: taskQueues,
	})
	Register(Demo{
		ID:    "p3-latency",
		Title: "A latency queue preempts a CPU-bound neighbour",
		About: "\"web\" is Matters(1ms) and wakes on a 2 ms interval; " +
			"\"batch\" never stops. Each time web's timer fires, batch is " +
			"preempted at its next poll and web runs: look at web's " +
			"wake → poll delay in the report at the end.",
		Run: latencyQueue,
	})
	Register(Demo{
		ID:    "p3-preemption",
		Title: "NeedPreempt: a long poll gives the CPU back",
		About: "\"crunch\" runs one long computation in a single poll, " +
			"asking YieldIfNeeded between pieces. When its 1 ms slice " +
			"timer fires, the answer turns true and it yields, so " +
			"\"other\" gets its turn without crunch ever being interrupted.",
		Run: preemption,
	})
	Register(Demo{
		ID:    "p3-timers",
		Title: "Timers in the wheel, one kernel timeout per park",
		About: "Three sleepers (3, 1 and 2 ms) and a Timeout whose future " +
			"wins, so its 50 ms timer is cancelled. Each park waits " +
			"exactly until the next deadline: parked-until says how long.",
		Run: timers3,
	})
	Register(Demo{
		ID:    "p3-parking",
		Title: "Parking until a deadline, woken early from outside",
		About: "main sleeps for an hour... almost: a goroutine outside " +
			"the executor wakes it after a millisecond. Watch parked-until " +
			"(one timed park) and the eventfd-wake that cuts it short.",
		Run: parking3,
	})
	Register(Demo{
		ID:    "p3-cooperative",
		Title: "Cooperative scheduling: a task that never yields",
		About: "\"hog\" spins for 8 ms in one poll without asking; " +
			"\"polite\" does the same work asking MaybeYield. While hog " +
			"runs nothing else can; polite lets the ticker's task in " +
			"every slice.",
		Run: cooperative,
	})
	Register(Demo{
		ID:    "p3-stall",
		Title: "A stall, reported while it lasts",
		About: "A task spins 60 ms in one poll. The watchdog, armed at " +
			"20 ms, notices that the poll counter has not moved and emits " +
			"a stall event naming the queue and the task — during the " +
			"stall, not after.",
		Run: stall3,
	})
}

func taskQueues(sink trace.Sink) error {
	rt := newRuntime3(sink)
	defer rt.Close()
	gold := mustQueue(rt, "gold", scheduling.Static(2), scheduling.NotImportant)
	bronze := mustQueue(rt, "bronze", scheduling.Static(1), scheduling.NotImportant)
	_, err := scheduling.BlockOn(rt, executor.Async(func(a *executor.Awaiter) int {
		hg := executor.SpawnLocal(a.Context(), busyTask(40, 200*time.Microsecond), scheduling.In(gold), executor.WithName("gold work"))
		hb := executor.SpawnLocal(a.Context(), busyTask(40, 200*time.Microsecond), scheduling.In(bronze), executor.WithName("bronze work"))
		executor.Await(a, hg)
		executor.Await(a, hb)
		return 0
	}), executor.WithName("main"))
	if err != nil {
		return err
	}
	if gold.Stats().Selected == 0 || bronze.Stats().Selected == 0 {
		return fmt.Errorf("a queue was never selected: gold %+v, bronze %+v", gold.Stats(), bronze.Stats())
	}
	return nil
}

func latencyQueue(sink trace.Sink) error {
	rt := newRuntime3(sink)
	defer rt.Close()
	batch := mustQueue(rt, "batch", scheduling.Static(1000), scheduling.NotImportant)
	web := mustQueue(rt, "web", scheduling.Static(100), scheduling.Matters(time.Millisecond))
	_, err := scheduling.BlockOn(rt, executor.Async(func(a *executor.Awaiter) int {
		hb := executor.SpawnLocal(a.Context(), busyTask(60, 200*time.Microsecond), scheduling.In(batch), executor.WithName("batch"))
		hw := executor.SpawnLocal(a.Context(), executor.Async(func(a *executor.Awaiter) int {
			iv := rt.NewInterval(2 * time.Millisecond)
			defer iv.Stop()
			for range 5 {
				executor.Await(a, iv.Tick())
			}
			return 0
		}), scheduling.In(web), executor.WithName("web request"))
		executor.Await(a, hw)
		executor.Await(a, hb)
		return 0
	}), executor.WithName("main"))
	if err != nil {
		return err
	}
	if web.Stats().DelayCount < 5 {
		return fmt.Errorf("web was polled %d times, want ≥ 5", web.Stats().DelayCount)
	}
	return nil
}

func preemption(sink trace.Sink) error {
	rt := newRuntime3(sink, scheduling.WithSchedulerOptions(scheduling.WithSlice(time.Millisecond)))
	defer rt.Close()
	s := rt.Scheduler()
	crunch := mustQueue(rt, "crunch", scheduling.Static(1), scheduling.NotImportant)
	other := mustQueue(rt, "other", scheduling.Static(1), scheduling.NotImportant)
	yields := 0
	piece := 0
	_, err := scheduling.BlockOn(rt, executor.Async(func(a *executor.Awaiter) int {
		hc := executor.SpawnLocal(a.Context(), executor.FutureFunc[int](func(cx *executor.Context) executor.Poll[int] {
			// 40 pieces of 100 µs, and on, if need be, until it has
			// yielded 3 times: on a loaded machine Go may run the slice
			// timer late (at most 1000 pieces).
			for ; (piece < 40 || yields < 3) && piece < 1000; piece++ {
				spin(100 * time.Microsecond) // one piece of the computation
				if s.YieldIfNeeded(cx) {
					yields++
					piece++
					return executor.Pending[int]()
				}
			}
			return executor.PollReady(yields)
		}), scheduling.In(crunch), executor.WithName("crunch"))
		ho := executor.SpawnLocal(a.Context(), busyTask(8, 100*time.Microsecond), scheduling.In(other), executor.WithName("other"))
		executor.Await(a, hc)
		executor.Await(a, ho)
		return 0
	}), executor.WithName("main"))
	if err != nil {
		return err
	}
	if yields == 0 {
		return fmt.Errorf("crunch never yielded in 100 ms of 1 ms slices")
	}
	return nil
}

func timers3(sink trace.Sink) error {
	rt := newRuntime3(sink)
	defer rt.Close()
	var order []int
	_, err := scheduling.BlockOn(rt, executor.Async(func(a *executor.Awaiter) int {
		var hs []executor.JoinHandle[int]
		// Deadlines from one base time, so that however slowly the
		// sleepers are first polled (a visualiser stepping one event at a
		// time), they fire in deadline order.
		base := rt.Clock().Now()
		for _, ms := range []int{3, 1, 2} {
			hs = append(hs, executor.SpawnLocal(a.Context(), executor.Async(func(a *executor.Awaiter) int {
				executor.Await(a, rt.SleepUntil(base+time.Duration(ms)*time.Millisecond))
				order = append(order, ms)
				return ms
			}), executor.WithName(fmt.Sprintf("sleep %d ms", ms))))
		}
		r := executor.Await(a, scheduling.Timeout(rt, rt.Sleep(500*time.Microsecond), 50*time.Millisecond))
		if r.Err != nil {
			return -1
		}
		for _, h := range hs {
			executor.Await(a, h)
		}
		return 0
	}), executor.WithName("main"))
	if err != nil {
		return err
	}
	if fmt.Sprint(order) != "[1 2 3]" {
		return fmt.Errorf("sleepers woke in the order %v, want [1 2 3]", order)
	}
	return nil
}

func parking3(sink trace.Sink) error {
	rt := newRuntime3(sink)
	defer rt.Close()
	wakers := make(chan executor.Waker, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		w := <-wakers
		time.Sleep(time.Millisecond) // the executor is parked by now (or soon: either way the wake is not lost)
		w.Wake()
	}()
	start := time.Now()
	_, err := scheduling.BlockOn(rt, executor.Async(func(a *executor.Awaiter) int {
		h := executor.SpawnLocal(a.Context(), executor.Async(func(a *executor.Awaiter) int {
			executor.Await(a, rt.Sleep(time.Hour))
			return 0
		}), executor.WithName("an hour's sleep"))
		defer h.Cancel()
		sent := false
		executor.Await(a, executor.FutureFunc[int](func(cx *executor.Context) executor.Poll[int] {
			if sent {
				return executor.PollReady(0)
			}
			sent = true
			wakers <- cx.WakerFor("helper goroutine")
			return executor.Pending[int]()
		}))
		return 0
	}), executor.WithName("main"))
	<-done
	if err != nil {
		return err
	}
	if time.Since(start) > time.Minute {
		return fmt.Errorf("the park was not cut short")
	}
	return nil
}

func cooperative(sink trace.Sink) error {
	rt := newRuntime3(sink, scheduling.WithSchedulerOptions(scheduling.WithSlice(time.Millisecond)))
	defer rt.Close()
	s := rt.Scheduler()
	work := mustQueue(rt, "work", scheduling.Static(1), scheduling.NotImportant)
	ticks := mustQueue(rt, "ticks", scheduling.Static(1), scheduling.NotImportant)
	ticked := 0
	_, err := scheduling.BlockOn(rt, executor.Async(func(a *executor.Awaiter) int {
		hog := executor.SpawnLocal(a.Context(), executor.Async(func(a *executor.Awaiter) int {
			spin(8 * time.Millisecond) // never asks
			return 0
		}), scheduling.In(work), executor.WithName("hog"))
		polite := executor.SpawnLocal(a.Context(), executor.Async(func(a *executor.Awaiter) int {
			// 80 pieces of 100 µs, and on until it has yielded twice (a
			// loaded machine may run the slice timer late), at most 1000.
			yields := 0
			for i := 0; i < 80 || (yields < 2 && i < 1000); i++ {
				spin(100 * time.Microsecond)
				if s.NeedPreempt() {
					yields++ // MaybeYield is about to yield
				}
				executor.Await(a, s.MaybeYield())
			}
			return yields
		}), scheduling.In(work), executor.WithName("polite"))
		ticker := executor.SpawnLocal(a.Context(), executor.Async(func(a *executor.Awaiter) int {
			for !polite.Done() {
				ticked++
				spin(100 * time.Microsecond)
				executor.Await(a, executor.YieldNow())
			}
			return 0
		}), scheduling.In(ticks), executor.WithName("ticker"))
		executor.Await(a, hog)
		executor.Await(a, polite)
		executor.Await(a, ticker)
		return 0
	}), executor.WithName("main"))
	if err != nil {
		return err
	}
	if ticked < 2 {
		return fmt.Errorf("the ticker ran %d times while polite worked, want ≥ 2", ticked)
	}
	return nil
}

func stall3(sink trace.Sink) error {
	reported := make(chan scheduling.StallReport, 8)
	rt := newRuntime3(sink, scheduling.WithStallDetector(20*time.Millisecond, func(r scheduling.StallReport) {
		select {
		case reported <- r:
		default:
		}
	}))
	defer rt.Close()
	q := mustQueue(rt, "reports", scheduling.Static(10), scheduling.NotImportant)
	_, err := scheduling.BlockOn(rt, executor.Async(func(a *executor.Awaiter) int {
		h := executor.SpawnLocal(a.Context(), executor.FutureFunc[int](func(*executor.Context) executor.Poll[int] {
			// One poll, no yield: a stall — 60 ms, or longer until the
			// watchdog has seen it (a loaded machine may run it late),
			// at most 5 s.
			start := time.Now()
			for time.Since(start) < 60*time.Millisecond || (len(reported) == 0 && time.Since(start) < 5*time.Second) {
			}
			return executor.PollReady(0)
		}), scheduling.In(q), executor.WithName("slow report"))
		executor.Await(a, h)
		return 0
	}), executor.WithName("main"))
	if err != nil {
		return err
	}
	select {
	case r := <-reported:
		if r.Queue != "reports" {
			return fmt.Errorf("stall attributed to queue %q, want reports", r.Queue)
		}
	default:
		return fmt.Errorf("a 60 ms poll was not reported with a 20 ms threshold")
	}
	return nil
}
