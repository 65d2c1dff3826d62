package scheduling_test

import (
	"testing"
	"testing/synctest"
	"time"

	executor "asyncworkbook/phase1-executor"
	scheduling "asyncworkbook/phase3-scheduling"
)

// The whole runtime — real clock reads, Go timers for slices, the
// ChanDriver's timed park — inside a synctest bubble: a task's "work" is
// a time.Sleep inside its poll, which moves the bubble's fake clock by
// exactly that much. The shares and latency claims then hold exactly,
// on any machine, under any load.

func TestInFakeTimeSharesTwoToOneGiveExactlyTwiceTheCPU(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rt := scheduling.NewRuntime()
		defer rt.Close()
		a, _ := rt.NewQueue("a", scheduling.Static(2), scheduling.NotImportant)
		b, _ := rt.NewQueue("b", scheduling.Static(1), scheduling.NotImportant)
		end := time.Now().Add(time.Second)
		work := func() executor.Future[int] {
			return executor.Async(func(aw *executor.Awaiter) int {
				for time.Now().Before(end) {
					time.Sleep(20 * time.Microsecond) // 20 µs of "CPU"
					executor.Await(aw, executor.YieldNow())
				}
				return 0
			})
		}
		if _, err := scheduling.BlockOn(rt, executor.Async(func(aw *executor.Awaiter) int {
			ha := executor.SpawnLocal(aw.Context(), work(), scheduling.In(a))
			hb := executor.SpawnLocal(aw.Context(), work(), scheduling.In(b))
			executor.Await(aw, ha)
			executor.Await(aw, hb)
			return 0
		})); err != nil {
			t.Fatal(err)
		}
		r := float64(a.Stats().Runtime) / float64(b.Stats().Runtime)
		if r < 1.98 || r > 2.02 {
			t.Fatalf("shares 2:1 gave runtimes %v and %v: ratio %.3f, want 2.00 ± 0.02", a.Stats().Runtime, b.Stats().Runtime, r)
		}
	})
}

func TestInFakeTimeALatencyQueueIsPolledWithinOneNeighbourPoll(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rt := scheduling.NewRuntime()
		defer rt.Close()
		cpu, _ := rt.NewQueue("cpu", scheduling.Static(1000), scheduling.NotImportant)
		lat, _ := rt.NewQueue("lat", scheduling.Static(100), scheduling.Matters(time.Millisecond))
		end := time.Now().Add(time.Second)
		var late scheduling.Histogram
		if _, err := scheduling.BlockOn(rt, executor.Async(func(aw *executor.Awaiter) int {
			hc := executor.SpawnLocal(aw.Context(), executor.Async(func(aw *executor.Awaiter) int {
				for time.Now().Before(end) {
					time.Sleep(37 * time.Microsecond) // not a divisor of the slice or the tick
					executor.Await(aw, executor.YieldNow())
				}
				return 0
			}), scheduling.In(cpu))
			hl := executor.SpawnLocal(aw.Context(), executor.Async(func(aw *executor.Awaiter) int {
				for time.Now().Before(end) {
					t0 := time.Now()
					executor.Await(aw, rt.Sleep(time.Millisecond))
					late.Record(time.Since(t0) - time.Millisecond)
				}
				return 0
			}), scheduling.In(lat))
			executor.Await(aw, hc)
			executor.Await(aw, hl)
			return 0
		})); err != nil {
			t.Fatal(err)
		}
		st := lat.Stats()
		// The timer fires at the end of the neighbour's 37 µs poll (or at
		// the wheel's next 100 µs tick); the wake then preempts it, so the
		// delay from wake to poll is nothing at all in fake time.
		if st.DelayCount < 500 || st.DelayP99 != 0 {
			t.Fatalf("latency queue: %d wakes, wake → poll p99 %v, want ≥ 500 and 0", st.DelayCount, st.DelayP99)
		}
		if p := late.Quantile(0.99); p > 150*time.Microsecond {
			t.Fatalf("the latency task resumed up to %v (p99) after its deadline, want ≤ 150µs (a tick and a neighbour's poll)", p)
		}
	})
}
