package scheduling_test

import (
	"testing"
	"time"

	executor "asyncworkbook/phase1-executor"
	scheduling "asyncworkbook/phase3-scheduling"
)

// spinUntilYield is a hand-written task that never finishes a poll on its
// own: it loops, asking YieldIfNeeded, until told to stop (done) — the
// loop a learner writes around a long computation. It gives up after 10 s
// of real time so a broken NeedPreempt fails the test instead of hanging.
func spinUntilYield(t testing.TB, s *scheduling.Scheduler, yields *int, done *bool) executor.Future[int] {
	return executor.FutureFunc[int](func(cx *executor.Context) executor.Poll[int] {
		giveUp := time.Now().Add(10 * time.Second)
		for !*done {
			if s.YieldIfNeeded(cx) {
				*yields++
				return executor.Pending[int]()
			}
			if time.Now().After(giveUp) {
				t.Error("NeedPreempt never turned true within 10 s")
				return executor.PollReady(-1)
			}
		}
		return executor.PollReady(*yields)
	})
}

func TestASpinningTaskYieldsWhenItsSliceTimerFires(t *testing.T) {
	s := scheduling.NewScheduler(scheduling.WithSlice(2 * time.Millisecond))
	ex := executor.New(executor.WithScheduler(s))
	defer ex.Close()
	a, _ := s.NewQueue("a", scheduling.Static(1), scheduling.NotImportant)
	b, _ := s.NewQueue("b", scheduling.Static(1), scheduling.NotImportant)
	yields, done := 0, false
	_, err := executor.BlockOn(ex, executor.Async(func(aw *executor.Awaiter) int {
		spin := executor.SpawnLocal(aw.Context(), spinUntilYield(t, s, &yields, &done), scheduling.In(a))
		// b's task can only run if a's spinner gives the CPU back.
		other := executor.SpawnLocal(aw.Context(), executor.Async(func(*executor.Awaiter) int { done = true; return 0 }), scheduling.In(b))
		executor.Await(aw, other)
		return executor.Await(aw, spin).Value
	}))
	if err != nil {
		t.Fatal(err)
	}
	if yields < 1 || b.Stats().Polls != 1 {
		t.Fatalf("spinner yielded %d times, b polled %d; want ≥ 1 and 1", yields, b.Stats().Polls)
	}
}

func TestACoroutineYieldsWithMaybeYield(t *testing.T) {
	s := scheduling.NewScheduler(scheduling.WithSlice(2 * time.Millisecond))
	ex := executor.New(executor.WithScheduler(s))
	defer ex.Close()
	a, _ := s.NewQueue("a", scheduling.Static(1), scheduling.NotImportant)
	b, _ := s.NewQueue("b", scheduling.Static(1), scheduling.NotImportant)
	done := false
	steps, err := executor.BlockOn(ex, executor.Async(func(aw *executor.Awaiter) int {
		spin := executor.SpawnLocal(aw.Context(), executor.Async(func(aw *executor.Awaiter) int {
			giveUp := time.Now().Add(10 * time.Second)
			n := 0
			for !done && time.Now().Before(giveUp) {
				n++ // a piece of work, then the question
				executor.Await(aw, s.MaybeYield())
			}
			if !done {
				return -1 // gave up: b never got the CPU
			}
			return n
		}), scheduling.In(a))
		other := executor.SpawnLocal(aw.Context(), executor.Async(func(*executor.Awaiter) int { done = true; return 0 }), scheduling.In(b))
		executor.Await(aw, other)
		return executor.Await(aw, spin).Value
	}))
	if err != nil {
		t.Fatal(err)
	}
	if steps < 1 {
		t.Fatalf("b never ran while the coroutine looped: it did not yield (steps = %d)", steps)
	}
}

func TestNeedPreemptTurnsTrueOnTheLastPollOfTheBudget(t *testing.T) {
	r := newFakeRig(t, scheduling.WithSlice(time.Hour), scheduling.WithBudget(4))
	a := r.queue(t, "a", scheduling.Static(1), scheduling.NotImportant)
	var seen []bool
	r.run(t, func(cx *executor.Context) []executor.JoinHandle[int] {
		return []executor.JoinHandle[int]{executor.SpawnLocal(cx, executor.FutureFunc[int](func(cx *executor.Context) executor.Poll[int] {
			seen = append(seen, r.s.NeedPreempt())
			if len(seen) == 9 {
				return executor.PollReady(0)
			}
			cx.Wake(cx.Waker())
			return executor.Pending[int]()
		}), scheduling.In(a))}
	})
	want := []bool{false, false, false, true, false, false, false, true, false}
	for i := range want {
		if seen[i] != want[i] {
			t.Fatalf("NeedPreempt in polls 1..9 = %v, want %v (budget 4)", seen, want)
		}
	}
}

func TestALatencyWakeTellsTheRunningTaskAtOnceAndNotTheNextSlice(t *testing.T) {
	r := newFakeRig(t, scheduling.WithSlice(time.Hour))
	cpu := r.queue(t, "cpu", scheduling.Static(1), scheduling.NotImportant)
	lat := r.queue(t, "lat", scheduling.Static(1), scheduling.Matters(time.Millisecond))
	var w executor.Waker
	var before, after, latSaw []bool
	r.run(t, func(cx *executor.Context) []executor.JoinHandle[int] {
		hl := executor.SpawnLocal(cx, executor.FutureFunc[int](func(cx *executor.Context) executor.Poll[int] {
			latSaw = append(latSaw, r.s.NeedPreempt())
			if len(latSaw) == 3 {
				return executor.PollReady(0)
			}
			w = cx.WakerFor("cpu")
			return executor.Pending[int]()
		}), scheduling.In(lat))
		hc := executor.SpawnLocal(cx, r.spinnerHook("cpu", 100*time.Microsecond, 10*time.Millisecond, func(cx *executor.Context) {
			if !w.IsZero() {
				before = append(before, r.s.NeedPreempt())
				cx.Wake(w)
				w = executor.Waker{}
				after = append(after, r.s.NeedPreempt())
			}
		}), scheduling.In(cpu))
		return []executor.JoinHandle[int]{hl, hc}
	})
	for i := range before {
		if before[i] || !after[i] {
			t.Fatalf("NeedPreempt before/after waking the latency task: %v / %v, want false / true", before, after)
		}
	}
	for i, v := range latSaw {
		if v {
			t.Fatalf("the latency task's own slice started preempted (poll %d): the flag leaked from the slice it ended", i+1)
		}
	}
	if len(before) < 2 {
		t.Fatalf("the latency task was woken %d times, want 2", len(before))
	}
}

func TestOnARuntimeASpinningTaskYieldsToTheRuntimesSliceSignal(t *testing.T) {
	rt := scheduling.NewRuntime(scheduling.WithSchedulerOptions(scheduling.WithSlice(2 * time.Millisecond)))
	defer rt.Close()
	s := rt.Scheduler()
	t.Logf("preemption signal: %s", s.PreemptSignal())
	a, _ := rt.NewQueue("a", scheduling.Static(1), scheduling.NotImportant)
	b, _ := rt.NewQueue("b", scheduling.Static(1), scheduling.NotImportant)
	yields, done := 0, false
	_, err := scheduling.BlockOn(rt, executor.Async(func(aw *executor.Awaiter) int {
		spin := executor.SpawnLocal(aw.Context(), spinUntilYield(t, s, &yields, &done), scheduling.In(a))
		other := executor.SpawnLocal(aw.Context(), executor.Async(func(*executor.Awaiter) int { done = true; return 0 }), scheduling.In(b))
		executor.Await(aw, other)
		return executor.Await(aw, spin).Value
	}))
	if err != nil {
		t.Fatal(err)
	}
	if yields < 1 || b.Stats().Polls != 1 {
		t.Fatalf("spinner yielded %d times, b polled %d; want ≥ 1 and 1", yields, b.Stats().Polls)
	}
}
