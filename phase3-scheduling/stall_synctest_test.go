package scheduling_test

import (
	"testing"
	"testing/synctest"
	"time"

	executor "asyncworkbook/phase1-executor"
	scheduling "asyncworkbook/phase3-scheduling"
)

// The watchdog's logic in fake time (testing/synctest): a "stalled" poll
// is one that blocks on a channel — durably, inside the bubble — so time
// jumps straight to the watchdog's timers and every number is exact.

func TestInFakeTimeAStallIsReportedAtTheThresholdThenAtDoublingDelays(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		release := make(chan struct{})
		var reports []scheduling.StallReport
		rt := scheduling.NewRuntime(scheduling.WithStallDetector(20*time.Millisecond, func(r scheduling.StallReport) {
			reports = append(reports, r)
			if len(reports) == 3 {
				close(release)
			}
		}))
		defer rt.Close()
		q, _ := rt.NewQueue("crunch", scheduling.Static(1), scheduling.NotImportant)
		_, err := scheduling.BlockOn(rt, executor.Async(func(a *executor.Awaiter) int {
			h := executor.SpawnLocal(a.Context(), executor.FutureFunc[int](func(*executor.Context) executor.Poll[int] {
				<-release // stuck in this poll until the third report
				return executor.PollReady(0)
			}), scheduling.In(q), executor.WithName("stuck"))
			return executor.Await(a, h).Value
		}))
		if err != nil {
			t.Fatal(err)
		}
		// Reports at 20 ms, then 20+40 = 60 ms, then 60+80 = 140 ms.
		want := []time.Duration{20 * time.Millisecond, 60 * time.Millisecond, 140 * time.Millisecond}
		if len(reports) != 3 {
			t.Fatalf("%d reports, want 3", len(reports))
		}
		for i, r := range reports {
			if r.For != want[i] || r.Reports != i+1 || r.Queue != "crunch" || r.Name != "stuck" {
				t.Errorf("report %d = {For %v, Reports %d, Queue %q, Name %q}, want {%v, %d, crunch, stuck}", i+1, r.For, r.Reports, r.Queue, r.Name, want[i], i+1)
			}
		}
	})
}

func TestInFakeTimeShortPollsAndAParkAreNeverStalls(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var reports []scheduling.StallReport
		rt := scheduling.NewRuntime(scheduling.WithStallDetector(20*time.Millisecond, func(r scheduling.StallReport) {
			reports = append(reports, r)
		}))
		defer rt.Close()
		_, err := scheduling.BlockOn(rt, executor.Async(func(a *executor.Awaiter) int {
			// 300 polls of 5 ms each: 1.5 s busy, never 20 ms in one poll...
			for range 300 {
				time.Sleep(5 * time.Millisecond)
				executor.Await(a, executor.YieldNow())
			}
			// ...then parked for a second.
			executor.Await(a, rt.Sleep(time.Second))
			return 0
		}))
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range reports {
			t.Errorf("false stall report: %v", r)
		}
	})
}
