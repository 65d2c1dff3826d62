//go:build linux

package scheduling_test

import (
	"strings"
	"testing"
	"time"

	executor "asyncworkbook/phase1-executor"
	iouring "asyncworkbook/phase2-iouring"
	scheduling "asyncworkbook/phase3-scheduling"
)

func TestAnIdleExecutorWithOneSleepEntersTheKernelAtMostTwice(t *testing.T) {
	if testing.Short() {
		t.Skip("sleeps for a second")
	}
	r, err := iouring.NewReactor(32)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	rt := scheduling.NewRuntime(scheduling.WithBaseDriver(r))
	defer rt.Close()
	before := r.Rings().Stats().Enters + rt.Scheduler().PreemptEnters()
	start := time.Now()
	if _, err := scheduling.BlockOn(rt, executor.Async(func(aw *executor.Awaiter) int {
		executor.Await(aw, rt.Sleep(time.Second))
		return 0
	})); err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	// Both rings count: the reactor's and the preemption signal's.
	enters := r.Rings().Stats().Enters + rt.Scheduler().PreemptEnters() - before
	st := rt.Driver().Stats()
	t.Logf("%s: 1 s sleep took %v, %d enters, driver %+v", r.RingKind(), took, enters, st)
	if took < time.Second {
		t.Fatalf("a 1 s sleep returned after %v", took)
	}
	// The fallback ring counts its waits as enters too: the same bound
	// holds there.
	if enters > 2 {
		t.Fatalf("%s: %d enters for one 1 s sleep, want ≤ 2 (no periodic wakeups)", r.RingKind(), enters)
	}
	if !strings.HasPrefix(r.RingKind(), "fallback") && st.Deadlines != 1 {
		t.Fatalf("parks ended at their deadline %d times, want 1", st.Deadlines)
	}
}

func TestOnlyASliceWhoseTaskAsksArmsItsPreemptionTimer(t *testing.T) {
	rt := scheduling.NewRuntime(scheduling.WithSchedulerOptions(scheduling.WithSlice(time.Millisecond)))
	defer rt.Close()
	s := rt.Scheduler()
	if !strings.Contains(s.PreemptSignal(), "io_uring") {
		t.Skipf("preemption signal %q: no second ring to count", s.PreemptSignal())
	}
	// 200 polls that never ask NeedPreempt: no timer, no enter.
	if _, err := scheduling.BlockOn(rt, executor.Async(func(a *executor.Awaiter) int {
		for range 200 {
			executor.Await(a, executor.YieldNow())
		}
		return 0
	})); err != nil {
		t.Fatal(err)
	}
	if n := s.PreemptEnters(); n != 0 {
		t.Fatalf("slices whose tasks never asked made %d enters on the preemption ring, want 0", n)
	}
	// One poll that asks until told: its slice's timer is armed (once).
	yielded := false
	if _, err := scheduling.BlockOn(rt, executor.FutureFunc[int](func(cx *executor.Context) executor.Poll[int] {
		if yielded {
			return executor.PollReady(0)
		}
		for end := time.Now().Add(10 * time.Second); time.Now().Before(end); {
			if s.YieldIfNeeded(cx) {
				yielded = true
				return executor.Pending[int]()
			}
		}
		return executor.PollReady(-1)
	})); err != nil || !yielded {
		t.Fatalf("the asking task was never told to yield (err %v)", err)
	}
	if n := s.PreemptEnters(); n < 1 || n > 3 {
		t.Fatalf("one asking slice made %d enters on the preemption ring, want 1 (or a few)", n)
	}
}
