package scheduling_test

import (
	"strings"
	"testing"
	"time"

	executor "asyncworkbook/phase1-executor"
	scheduling "asyncworkbook/phase3-scheduling"
	"asyncworkbook/phases/trace"
)

func kinds(evs []trace.Event, k trace.Kind) []trace.Event {
	var out []trace.Event
	for _, e := range evs {
		if e.Kind == k {
			out = append(out, e)
		}
	}
	return out
}

func TestTheTraceLogsEverySchedulerDecision(t *testing.T) {
	rec := trace.NewRecorder(1 << 16)
	rt, d, clk := newFakeRuntime(t, scheduling.WithSink(rec), scheduling.WithSchedulerOptions(scheduling.WithSlice(time.Millisecond)))
	a, _ := rt.NewQueue("a", scheduling.Static(2), scheduling.NotImportant)
	b, _ := rt.NewQueue("b", scheduling.Static(1), scheduling.NotImportant)
	spin := func(until time.Duration) executor.Future[int] {
		return executor.Async(func(aw *executor.Awaiter) int {
			for clk.Now() < until {
				clk.Advance(100 * time.Microsecond)
				executor.Await(aw, executor.YieldNow())
			}
			return 0
		})
	}
	_, err := scheduling.BlockOn(rt, executor.Async(func(aw *executor.Awaiter) int {
		ha := executor.SpawnLocal(aw.Context(), spin(10*time.Millisecond), scheduling.In(a))
		hb := executor.SpawnLocal(aw.Context(), spin(10*time.Millisecond), scheduling.In(b))
		executor.Await(aw, ha)
		executor.Await(aw, hb)
		executor.Await(aw, scheduling.Timeout(rt, rt.Sleep(time.Millisecond), time.Hour))
		return 0
	}))
	if err != nil {
		t.Fatal(err)
	}
	evs := rec.Events()
	sel := kinds(evs, trace.QueueSelected)
	if len(sel) < 6 {
		t.Fatalf("%d queue-selected events, want ≥ 6", len(sel))
	}
	sawSliceReason := false
	for _, e := range sel {
		qs, err := trace.DecodeQueues(e.Queues)
		if err != nil || len(qs) != 3 {
			t.Fatalf("queue-selected %v: queues %q (%v), want the 3 queues", e, e.Queues, err)
		}
		for _, q := range qs {
			if q.Name == e.Name && q.Ready == 0 {
				t.Fatalf("selected queue %s with no ready task: %v", e.Name, e)
			}
		}
		sawSliceReason = sawSliceReason || strings.Contains(e.Note, "slice expired")
	}
	if !sawSliceReason {
		t.Fatalf("no selection says the last slice expired: %v", sel)
	}
	if n := len(kinds(evs, trace.SliceEnded)); n < len(sel)-1 {
		t.Fatalf("%d slice-ended for %d selections", n, len(sel))
	}
	armed, cancelled := kinds(evs, trace.TimerArmed), kinds(evs, trace.TimerCancelled)
	fired, parked := kinds(evs, trace.TimerFired), kinds(evs, trace.ParkedUntil)
	if len(armed) != 2 || len(fired) != 1 || len(cancelled) != 1 {
		t.Fatalf("timers armed %d fired %d cancelled %d, want 2, 1, 1", len(armed), len(fired), len(cancelled))
	}
	if len(parked) != 1 || parked[0].Dur != int64(time.Millisecond) || len(d.parks) != 1 {
		t.Fatalf("parked-until %v (driver parks %v), want one of 1ms", parked, d.parks)
	}
}

func TestYieldsAndPreemptionsAreTraced(t *testing.T) {
	rec := trace.NewRecorder(1 << 12)
	rt, _, clk := newFakeRuntime(t, scheduling.WithSink(rec), scheduling.WithSchedulerOptions(scheduling.WithBudget(4)))
	cpu, _ := rt.NewQueue("cpu", scheduling.Static(1), scheduling.NotImportant)
	lat, _ := rt.NewQueue("lat", scheduling.Static(1), scheduling.Matters(time.Millisecond))
	s := rt.Scheduler()
	_, err := scheduling.BlockOn(rt, executor.Async(func(aw *executor.Awaiter) int {
		var w executor.Waker
		hl := executor.SpawnLocal(aw.Context(), executor.FutureFunc[int](func(cx *executor.Context) executor.Poll[int] {
			if !w.IsZero() || clk.Now() > 0 {
				return executor.PollReady(0)
			}
			w = cx.WakerFor("cpu")
			return executor.Pending[int]()
		}), scheduling.In(lat))
		hc := executor.SpawnLocal(aw.Context(), executor.Async(func(aw *executor.Awaiter) int {
			for i := range 10 {
				clk.Advance(10 * time.Microsecond)
				if i == 5 {
					aw.Context().Wake(w) // the latency queue wakes: preempts cpu
				}
				executor.Await(aw, s.MaybeYield())
			}
			return 0
		}), scheduling.In(cpu))
		executor.Await(aw, hl)
		executor.Await(aw, hc)
		return 0
	}))
	if err != nil {
		t.Fatal(err)
	}
	evs := rec.Events()
	// The loop runs in one poll, so the budget (counted in polls) never
	// trips inside it: the one yield is the preemption's.
	if n := len(kinds(evs, trace.Yielded)); n != 1 {
		t.Fatalf("%d yielded events, want 1 (after the latency queue woke)", n)
	}
	// (Spawning the latency task preempts main's default queue too.)
	var p []trace.Event
	for _, e := range kinds(evs, trace.Preempted) {
		if e.Name == "cpu" {
			p = append(p, e)
		}
	}
	if len(p) != 1 || !strings.Contains(p[0].Note, "lat") {
		t.Fatalf("preempted events of cpu %v, want one, by lat", p)
	}
}
