//go:build linux

package scheduling_test

import (
	"testing"
	"time"

	executor "asyncworkbook/phase1-executor"
	iouring "asyncworkbook/phase2-iouring"
	scheduling "asyncworkbook/phase3-scheduling"
)

// pingPong runs n round trips in which a goroutine wakes the executor's
// main task, which hands it its next waker; it returns the io_uring
// enters they took.
func pingPong(t *testing.T, n int, opts ...scheduling.RuntimeOption) (enters uint64, rt *scheduling.Runtime) {
	t.Helper()
	r, err := iouring.NewReactor(32)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	rt = scheduling.NewRuntime(append(opts, scheduling.WithBaseDriver(r))...)
	t.Cleanup(rt.Close)
	wakers := make(chan executor.Waker, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for w := range wakers {
			w.Wake()
		}
	}()
	before := r.Rings().Stats().Enters
	left := n
	if _, err := scheduling.BlockOn(rt, executor.FutureFunc[int](func(cx *executor.Context) executor.Poll[int] {
		if left == 0 {
			close(wakers)
			return executor.PollReady(0)
		}
		left--
		wakers <- cx.Waker()
		return executor.Pending[int]()
	})); err != nil {
		t.Fatal(err)
	}
	<-done
	return r.Rings().Stats().Enters - before, rt
}

func TestASpinningParkTakesWakesWithoutEnteringTheKernel(t *testing.T) {
	// Without spinning, each round trip parks in io_uring_enter.
	plain, _ := pingPong(t, 100)
	spun, rt := pingPong(t, 100, scheduling.WithSpinBeforePark(time.Second))
	spins, caught := rt.Driver().SpinStats()
	t.Logf("enters: %d without spinning, %d spinning (%d spins, %d found work)", plain, spun, spins, caught)
	if plain < 50 {
		t.Fatalf("without spinning, 100 wakes of a parked executor took %d enters, want about 100", plain)
	}
	// (Some wakes land before the executor even parks: fewer spins than
	// round trips.)
	if spun > 10 || caught != spins {
		t.Fatalf("spinning for up to 1 s, 100 immediate wakes took %d enters (%d of %d spins found work), want almost none, and every spin to find its wake", spun, caught, spins)
	}
}

func TestSpinningNeverOutlastsTheNextTimer(t *testing.T) {
	r, err := iouring.NewReactor(32)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	rt := scheduling.NewRuntime(scheduling.WithBaseDriver(r), scheduling.WithSpinBeforePark(10*time.Second))
	defer rt.Close()
	start := time.Now()
	if _, err := scheduling.BlockOn(rt, executor.Async(func(a *executor.Awaiter) int {
		executor.Await(a, rt.Sleep(5*time.Millisecond))
		return 0
	})); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Fatalf("a 5 ms sleep with a 10 s spin took %v: the spin ignored the timer", took)
	}
}
