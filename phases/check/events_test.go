package check_test

import (
	"testing"

	executor "asyncworkbook/phase1-executor"
	"asyncworkbook/phases/check"
	"asyncworkbook/phases/trace"
)

func TestTraceQuestions(t *testing.T) {
	rec := trace.NewRecorder(256)
	n := 0
	_, err := executor.Run(executor.PollFn(func(cx *executor.Context) executor.Poll[int] {
		n++
		if n == 3 {
			return executor.PollReady(n)
		}
		cx.Wake(cx.WakerFor("itself"))
		return executor.Pending[int]()
	}), executor.WithSink(rec))
	if err != nil {
		t.Fatal(err)
	}
	tr := check.Events(rec)
	if got := tr.Polls(1); got != 3 {
		t.Errorf("Polls(1) = %d, want 3:%s", got, tr)
	}
	if id, ok := tr.TaskNamed("main"); !ok || id != 1 {
		t.Errorf("TaskNamed(main) = %d, %v", id, ok)
	}
	if lost := tr.LostWakeups(); len(lost) != 0 {
		t.Errorf("LostWakeups = %v, want none", lost)
	}
	check.Polls(t, tr, 1, 3)
	check.WokenBy(t, tr, 1, trace.SourceTask, 1)
	check.NoLostWakeups(t, tr)
	check.None(t, tr, 0, trace.Panicked, "nothing panics")
}

func TestLostWakeupIsFound(t *testing.T) {
	tr := check.Trace{
		{Seq: 1, Task: 1, Kind: trace.PollStarted},
		{Seq: 2, Task: 1, Kind: trace.PollEnded},
		{Seq: 3, Task: 2, Kind: trace.PollStarted},
		{Seq: 4, Task: 2, Kind: trace.WakerRegistered},
		{Seq: 5, Task: 2, Kind: trace.PollEnded},
	}
	lost := tr.LostWakeups()
	if len(lost) != 1 || lost[0].Task != 1 {
		t.Fatalf("LostWakeups = %v, want task 1's poll-ended only", lost)
	}
}
