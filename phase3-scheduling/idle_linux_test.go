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
	before := r.Rings().Stats().Enters
	start := time.Now()
	if _, err := scheduling.BlockOn(rt, executor.Async(func(aw *executor.Awaiter) int {
		executor.Await(aw, rt.Sleep(time.Second))
		return 0
	})); err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	enters := r.Rings().Stats().Enters - before
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
