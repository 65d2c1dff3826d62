package scheduling_test

import (
	"strings"
	"sync"
	"testing"
	"time"

	executor "asyncworkbook/phase1-executor"
	scheduling "asyncworkbook/phase3-scheduling"
	"asyncworkbook/phases/trace"
)

// stuckInOnePoll is a task whose single poll spins until the watchdog
// has reported it (so the report is seen *during* the stall), or gives up
// after 10 s.
func stuckInOnePoll(reported <-chan scheduling.StallReport, got *scheduling.StallReport) executor.Future[bool] {
	return executor.FutureFunc[bool](func(*executor.Context) executor.Poll[bool] {
		giveUp := time.Now().Add(10 * time.Second)
		for time.Now().Before(giveUp) {
			select {
			case *got = <-reported:
				return executor.PollReady(true)
			default:
			}
		}
		return executor.PollReady(false)
	})
}

func TestAStallIsReportedWhileItLastsWithItsQueueTaskAndStack(t *testing.T) {
	reports := make(chan scheduling.StallReport, 16)
	var mu sync.Mutex
	var stallEvents []trace.Event
	sink := trace.SinkFunc(func(e *trace.Event) {
		if e.Kind == trace.Stall {
			mu.Lock()
			stallEvents = append(stallEvents, *e)
			mu.Unlock()
		}
	})
	rt := scheduling.NewRuntime(scheduling.WithSink(sink),
		scheduling.WithStallDetector(20*time.Millisecond, func(r scheduling.StallReport) { reports <- r }))
	defer rt.Close()
	q, _ := rt.NewQueue("crunch", scheduling.Static(10), scheduling.NotImportant)
	var got scheduling.StallReport
	seen, err := scheduling.BlockOn(rt, executor.Async(func(aw *executor.Awaiter) bool {
		h := executor.SpawnLocal(aw.Context(), stuckInOnePoll(reports, &got), scheduling.In(q), executor.WithName("spinner"))
		return executor.Await(aw, h).Value
	}))
	if err != nil || !seen {
		t.Fatalf("no stall report arrived while the task spun for 10 s (err %v)", err)
	}
	if got.Queue != "crunch" || got.Name != "spinner" || got.For < 20*time.Millisecond {
		t.Fatalf("report = %+v; want queue crunch, task spinner, ≥ 20ms", got)
	}
	if !strings.Contains(got.Stack, "stuckInOnePoll") {
		t.Fatalf("the stack does not show where the task is stuck:\n%s", got.Stack)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(stallEvents) == 0 || stallEvents[0].Name != "crunch" || stallEvents[0].Task != got.Task {
		t.Fatalf("stall trace events = %v, want one for queue crunch, task T%d", stallEvents, got.Task)
	}
}

func TestTasksThatYieldAndAnIdleExecutorAreNotStalls(t *testing.T) {
	// Wall-clock watchdog: an executor thread descheduled for 50 ms on a
	// loaded machine is reported (doc.go says so). Three attempts; a
	// watchdog that mistakes yields or a park for a stall fails all three.
	for i := range attempts {
		reports := notStallsRun(t)
		if len(reports) == 0 {
			return
		}
		for _, r := range reports {
			t.Logf("attempt %d: false stall report: %v", i+1, r)
		}
	}
	t.Fatalf("stall reports for tasks that yield and an executor that sleeps, in %d attempts", attempts)
}

func notStallsRun(t *testing.T) []scheduling.StallReport {
	var mu sync.Mutex
	var reports []scheduling.StallReport
	rt := scheduling.NewRuntime(scheduling.WithStallDetector(50*time.Millisecond, func(r scheduling.StallReport) {
		mu.Lock()
		reports = append(reports, r)
		mu.Unlock()
	}))
	defer rt.Close()
	_, err := scheduling.BlockOn(rt, executor.Async(func(aw *executor.Awaiter) int {
		// Busy for 250 ms in polls of about 200 µs each...
		for start := time.Now(); time.Since(start) < 250*time.Millisecond; {
			for t := time.Now(); time.Since(t) < 200*time.Microsecond; {
			}
			executor.Await(aw, executor.YieldNow())
		}
		// ...then parked for 250 ms.
		executor.Await(aw, rt.Sleep(250*time.Millisecond))
		return 0
	}))
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	return reports
}
