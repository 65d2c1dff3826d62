package scheduling_test

import (
	"testing"
	"time"

	executor "asyncworkbook/phase1-executor"
	scheduling "asyncworkbook/phase3-scheduling"
)

func TestALatencyQueueThatWakesPreemptsTheRunningQueue(t *testing.T) {
	// A CPU-bound queue with 10 ms slices wakes the latency task every
	// millisecond. The wake preempts it: the latency task waits for the
	// rest of one 100 µs poll, not for the rest of a 10 ms slice.
	r := newFakeRig(t, scheduling.WithSlice(10*time.Millisecond))
	cpu := r.queue(t, "cpu", scheduling.Static(1000), scheduling.NotImportant)
	lat := r.queue(t, "lat", scheduling.Static(1), scheduling.Matters(time.Millisecond))
	var w executor.Waker
	next := time.Millisecond
	const until = 300 * time.Millisecond
	r.run(t, func(cx *executor.Context) []executor.JoinHandle[int] {
		hc := executor.SpawnLocal(cx, r.spinnerHook("cpu", 100*time.Microsecond, until, func(cx *executor.Context) {
			if r.clk.Now() >= next {
				next += time.Millisecond
				cx.Wake(w)
				w = executor.Waker{}
			}
		}), scheduling.In(cpu))
		hl := executor.SpawnLocal(cx, executor.FutureFunc[int](func(cx *executor.Context) executor.Poll[int] {
			if r.clk.Now() >= until {
				return executor.PollReady(0)
			}
			r.log = append(r.log, "lat")
			w = cx.WakerFor("cpu")
			return executor.Pending[int]()
		}), scheduling.In(lat))
		return []executor.JoinHandle[int]{hc, hl}
	})
	st := lat.Stats()
	if st.DelayCount < 250 {
		t.Fatalf("the latency task was polled %d times, want ≥ 250", st.DelayCount)
	}
	if st.DelayP99 > 115*time.Microsecond {
		t.Fatalf("latency queue wake → poll p99 = %v (max %v), want ≤ one 100 µs poll\npolls: %s",
			st.DelayP99, st.DelayMax, runs(r.log, 12))
	}
	if cpu.Stats().Preempted < 250 {
		t.Fatalf("cpu queue preempted %d times, want ≥ 250", cpu.Stats().Preempted)
	}
}

func TestWhileALatencyQueueIsReadyNoSliceIsLongerThanItsDelay(t *testing.T) {
	r := newFakeRig(t, scheduling.WithSlice(10*time.Millisecond))
	cpu := r.queue(t, "cpu", scheduling.Static(1000), scheduling.NotImportant)
	lat := r.queue(t, "lat", scheduling.Static(1), scheduling.Matters(time.Millisecond))
	r.run(t, func(cx *executor.Context) []executor.JoinHandle[int] {
		return []executor.JoinHandle[int]{
			executor.SpawnLocal(cx, r.spinner("cpu", 100*time.Microsecond, 200*time.Millisecond), scheduling.In(cpu)),
			executor.SpawnLocal(cx, r.spinner("lat", 100*time.Microsecond, 200*time.Millisecond), scheduling.In(lat)),
		}
	})
	// The cpu queue runs nearly all the time (shares 1000:1), but in
	// slices of 1 ms, not 10: about 200 slices in 200 ms, each a chance
	// for the latency queue.
	if sel := cpu.Stats().Selected; sel < 180 {
		t.Fatalf("the cpu queue was given %d slices in 200 ms while a Matters(1ms) queue was ready, want ≥ 180 (1 ms each)", sel)
	}
	if got := ratio(cpu.Stats().Runtime, lat.Stats().Runtime); got < 100 {
		t.Fatalf("shares 1000:1 still rule: ratio %.1f, want ≥ 100", got)
	}
}
