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

func TestInFakeTimeAStallIsReportedWithinTwoThresholdsThenAtDoublingDelays(t *testing.T) {
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
		// The watchdog looks every 20 ms; the first look that finds the
		// counter where the last one left it reports: 20 or 40 ms into the
		// poll, depending on whether its first look came before or after
		// the stuck poll began (both happen at the same fake instant).
		// Then it waits twice as long each time: +40 ms, +80 ms.
		if len(reports) != 3 {
			t.Fatalf("%d reports, want 3", len(reports))
		}
		first := reports[0].For
		if first != 20*time.Millisecond && first != 40*time.Millisecond {
			t.Errorf("first report after %v, want 20ms or 40ms (one or two looks)", first)
		}
		for i, gap := range []time.Duration{40 * time.Millisecond, 80 * time.Millisecond} {
			if got := reports[i+1].For - reports[i].For; got != gap {
				t.Errorf("report %d came %v after report %d, want %v (the delay doubles)", i+2, got, i+1, gap)
			}
		}
		for i, r := range reports {
			if r.Reports != i+1 || r.Queue != "crunch" || r.Name != "stuck" {
				t.Errorf("report %d = {Reports %d, Queue %q, Name %q}, want {%d, crunch, stuck}", i+1, r.Reports, r.Queue, r.Name, i+1)
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
