package scheduling_test

import (
	"testing"
	"time"

	executor "asyncworkbook/phase1-executor"
	scheduling "asyncworkbook/phase3-scheduling"
)

func TestBusyQueuesShareTheCPUByShares(t *testing.T) {
	for _, tc := range []struct{ a, b int }{{2, 1}, {3, 1}, {1, 1}, {1000, 10}} {
		t.Run("", func(t *testing.T) {
			r := newFakeRig(t, scheduling.WithSlice(time.Millisecond))
			a := r.queue(t, "a", scheduling.Static(tc.a), scheduling.NotImportant)
			b := r.queue(t, "b", scheduling.Static(tc.b), scheduling.NotImportant)
			r.run(t, func(cx *executor.Context) []executor.JoinHandle[int] {
				return []executor.JoinHandle[int]{
					executor.SpawnLocal(cx, r.spinner("a", 50*time.Microsecond, time.Second), scheduling.In(a)),
					executor.SpawnLocal(cx, r.spinner("b", 50*time.Microsecond, time.Second), scheduling.In(b)),
				}
			})
			got := ratio(a.Stats().Runtime, b.Stats().Runtime)
			want := float64(tc.a) / float64(tc.b)
			if got < want*0.97 || got > want*1.03 {
				t.Fatalf("shares %d:%d: runtime a=%v b=%v, ratio %.3f, want %.2f ± 3%%\npolls: %s",
					tc.a, tc.b, a.Stats().Runtime, b.Stats().Runtime, got, want, runs(r.log, 20))
			}
		})
	}
}

func TestQueueRunsUntilItsSliceEnds(t *testing.T) {
	r := newFakeRig(t, scheduling.WithSlice(time.Millisecond))
	a := r.queue(t, "a", scheduling.Static(1), scheduling.NotImportant)
	b := r.queue(t, "b", scheduling.Static(1), scheduling.NotImportant)
	r.run(t, func(cx *executor.Context) []executor.JoinHandle[int] {
		return []executor.JoinHandle[int]{
			executor.SpawnLocal(cx, r.spinner("a", 100*time.Microsecond, 20*time.Millisecond), scheduling.In(a)),
			executor.SpawnLocal(cx, r.spinner("b", 100*time.Microsecond, 20*time.Millisecond), scheduling.In(b)),
		}
	})
	// 1 ms slices of 100 µs polls: runs of 10, alternating.
	want := "a×10 b×10 a×10 b×10 "
	if got := runs(r.log, 4); got != want {
		t.Fatalf("poll runs = %q, want %q", got, want)
	}
	if a.Stats().Selected < 9 || b.Stats().Selected < 9 {
		t.Fatalf("selected a=%d b=%d, want ≥ 9 each", a.Stats().Selected, b.Stats().Selected)
	}
}

func TestBudgetEndsASliceWhenTheClockDoesNot(t *testing.T) {
	// Polls that cost no time never end a slice by the clock: only the
	// budget lets the other queue in.
	r := newFakeRig(t, scheduling.WithSlice(time.Hour), scheduling.WithBudget(128))
	a := r.queue(t, "a", scheduling.Static(1), scheduling.NotImportant)
	b := r.queue(t, "b", scheduling.Static(1), scheduling.NotImportant)
	counted := func(name string, n int) executor.Future[int] {
		i := 0
		return executor.FutureFunc[int](func(cx *executor.Context) executor.Poll[int] {
			if i == n {
				return executor.PollReady(i)
			}
			i++
			r.log = append(r.log, name)
			cx.Wake(cx.Waker())
			return executor.Pending[int]()
		})
	}
	r.run(t, func(cx *executor.Context) []executor.JoinHandle[int] {
		return []executor.JoinHandle[int]{
			executor.SpawnLocal(cx, counted("a", 1000), scheduling.In(a)),
			executor.SpawnLocal(cx, counted("b", 1000), scheduling.In(b)),
		}
	})
	if got, want := runs(r.log, 3), "a×128 b×128 a×128 "; got != want {
		t.Fatalf("poll runs = %q, want %q", got, want)
	}
}

func TestAQueueIdleForLongDoesNotHoardCredit(t *testing.T) {
	r := newFakeRig(t, scheduling.WithSlice(time.Millisecond))
	a := r.queue(t, "a", scheduling.Static(1), scheduling.NotImportant)
	b := r.queue(t, "b", scheduling.Static(1), scheduling.NotImportant)
	var bStart time.Duration
	r.run(t, func(cx *executor.Context) []executor.JoinHandle[int] {
		// b stays empty for 500 ms, then a spawns a CPU-bound task in it.
		return []executor.JoinHandle[int]{executor.SpawnLocal(cx, r.spinnerHook("a", 100*time.Microsecond, 700*time.Millisecond, func(cx *executor.Context) {
			if bStart == 0 && r.clk.Now() >= 500*time.Millisecond {
				bStart = r.clk.Now()
				executor.SpawnLocal(cx, r.spinner("b", 100*time.Microsecond, 700*time.Millisecond), scheduling.In(b)).Detach()
			}
		}), scheduling.In(a))}
	})
	// From b's start to the end (200 ms), equal shares: about half each.
	// Had b kept its vruntime of 0, it would have run alone for all of it.
	bRun := b.Stats().Runtime
	window := 700*time.Millisecond - bStart
	if bRun < window*45/100 || bRun > window*55/100 {
		t.Fatalf("b ran %v of the %v after it woke, want about half (a ran %v in all)\npolls: %s", bRun, window, a.Stats().Runtime, runs(r.log[len(r.log)-2500:], 10))
	}
}

func TestAQueueThatGoesIdleBrieflyKeepsItsDebt(t *testing.T) {
	// b runs 2 ms bursts and then waits until a wakes it, which a does on
	// its next 100 µs poll. Were b's vruntime reset on each wake (to the
	// least active one, as Glommio does), b would run nearly all the
	// time; keeping its debt, both get half.
	r := newFakeRig(t, scheduling.WithSlice(time.Millisecond))
	a := r.queue(t, "a", scheduling.Static(1), scheduling.NotImportant)
	b := r.queue(t, "b", scheduling.Static(1), scheduling.NotImportant)
	var bWaker executor.Waker
	const until = 500 * time.Millisecond
	r.run(t, func(cx *executor.Context) []executor.JoinHandle[int] {
		ha := executor.SpawnLocal(cx, executor.FutureFunc[int](func(cx *executor.Context) executor.Poll[int] {
			if r.clk.Now() >= until {
				cx.Wake(bWaker)
				return executor.PollReady(0)
			}
			r.log = append(r.log, "a")
			r.clk.Advance(100 * time.Microsecond)
			cx.Wake(bWaker)
			bWaker = executor.Waker{}
			cx.Wake(cx.Waker())
			return executor.Pending[int]()
		}), scheduling.In(a))
		hb := executor.SpawnLocal(cx, executor.FutureFunc[int](func(cx *executor.Context) executor.Poll[int] {
			if r.clk.Now() >= until {
				return executor.PollReady(0)
			}
			r.log = append(r.log, "b")
			r.clk.Advance(2 * time.Millisecond)
			bWaker = cx.WakerFor("a")
			return executor.Pending[int]()
		}), scheduling.In(b))
		return []executor.JoinHandle[int]{ha, hb}
	})
	got := ratio(b.Stats().Runtime, a.Stats().Runtime)
	if got < 0.85 || got > 1.18 {
		t.Fatalf("b/a runtime = %v/%v = %.2f, want about 1\npolls: %s", b.Stats().Runtime, a.Stats().Runtime, got, runs(r.log, 16))
	}
}

func TestDynamicSharesAreReadAgainEveryPeriod(t *testing.T) {
	r := newFakeRig(t, scheduling.WithSlice(time.Millisecond))
	reads := 0
	dyn := func() int {
		reads++
		if r.clk.Now() < 500*time.Millisecond {
			return 1
		}
		return 3
	}
	a := r.queue(t, "a", scheduling.Dynamic(dyn, 100*time.Millisecond), scheduling.NotImportant)
	b := r.queue(t, "b", scheduling.Static(1), scheduling.NotImportant)
	var half, halfB scheduling.Stats
	snap := func(*executor.Context) {
		if half.Polls == 0 && r.clk.Now() >= 500*time.Millisecond {
			half, halfB = a.Stats(), b.Stats()
		}
	}
	r.run(t, func(cx *executor.Context) []executor.JoinHandle[int] {
		return []executor.JoinHandle[int]{
			executor.SpawnLocal(cx, r.spinnerHook("a", 50*time.Microsecond, 1100*time.Millisecond, snap), scheduling.In(a)),
			executor.SpawnLocal(cx, r.spinnerHook("b", 50*time.Microsecond, 1100*time.Millisecond, snap), scheduling.In(b)),
		}
	})
	first := ratio(half.Runtime, halfB.Runtime)
	second := ratio(a.Stats().Runtime-half.Runtime, b.Stats().Runtime-halfB.Runtime)
	if first < 0.9 || first > 1.1 {
		t.Errorf("first 500 ms, shares 1:1: ratio %.2f, want 1", first)
	}
	// The new shares take effect within a period (100 ms) of 600 ms.
	if second < 2.4 || second > 3.1 {
		t.Errorf("after 500 ms, shares 3:1: ratio %.2f, want about 3", second)
	}
	if reads < 8 || reads > 14 {
		t.Errorf("the shares function was read %d times in 1.1 s with a 100 ms period, want about 11", reads)
	}
}

func TestBadQueueArgumentsAreErrors(t *testing.T) {
	s := scheduling.NewScheduler(scheduling.WithoutPreemptTimer())
	for _, tc := range []struct {
		name string
		sh   scheduling.Shares
		lat  scheduling.Latency
	}{
		{"zero shares", scheduling.Static(0), scheduling.NotImportant},
		{"too many shares", scheduling.Static(1001), scheduling.NotImportant},
		{"zero value shares", scheduling.Shares{}, scheduling.NotImportant},
		{"negative latency", scheduling.Static(1), scheduling.Matters(-time.Millisecond)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := len(s.Queues())
			if q, err := s.NewQueue(tc.name, tc.sh, tc.lat); err == nil {
				t.Fatalf("NewQueue(%v, %v) = %v, nil; want an error", tc.sh, tc.lat, q.Name())
			}
			if len(s.Queues()) != before {
				t.Fatalf("a refused queue was added anyway")
			}
		})
	}
}

func TestTaskOfAnotherSchedulersQueueRunsInTheDefaultQueue(t *testing.T) {
	r := newFakeRig(t)
	other := scheduling.NewScheduler(scheduling.WithoutPreemptTimer())
	foreign, _ := other.NewQueue("foreign", scheduling.Static(1), scheduling.NotImportant)
	out, err := executor.BlockOn(r.ex, executor.Async(func(aw *executor.Awaiter) int {
		h := executor.SpawnLocal(aw.Context(), executor.Async(func(*executor.Awaiter) int { return 7 }), scheduling.In(foreign))
		return executor.Await(aw, h).Value
	}))
	if err != nil || out != 7 {
		t.Fatalf("got %d, %v; want 7", out, err)
	}
	if foreign.Stats().Polls != 0 || r.s.Default().Stats().Polls < 2 {
		t.Fatalf("foreign queue polled %d times, default %d; want 0 and ≥ 2", foreign.Stats().Polls, r.s.Default().Stats().Polls)
	}
}
