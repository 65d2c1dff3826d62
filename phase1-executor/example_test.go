package executor_test

import (
	"fmt"
	"time"

	executor "asyncworkbook/phase1-executor"
	"asyncworkbook/phases/trace"
)

// Spawn a task, keep its join handle, and await the handle from main.
func Example_spawnAndJoin() {
	ex := executor.New()
	defer ex.Close()

	h := executor.Spawn(ex, executor.Async(func(a *executor.Awaiter) string {
		executor.Await(a, executor.YieldNow()) // let others run once
		return "hello from a task"
	}))

	r, err := executor.BlockOn(ex, executor.Future[executor.Result[string]](h))
	fmt.Println(r.Value, r.Err, err)
	// Output: hello from a task <nil> <nil>
}

// The seed's Promise.all: start two "fetches" at once and wait for both.
// Each fetch sleeps on a timer; Join polls both in its first poll, so both
// timers are armed at once and the waits overlap: the whole thing takes one
// sleep, not two.
func Example_promiseAll() {
	fetch := func(name string, d time.Duration) executor.Future[string] {
		return executor.Async(func(a *executor.Awaiter) string {
			executor.Await(a, executor.Sleep(d))
			return name + " done"
		})
	}
	both, err := executor.Run(executor.Join(
		fetch("users", 20*time.Millisecond),
		fetch("orders", 20*time.Millisecond),
	))
	fmt.Println(both, err)
	// Output: [users done orders done] <nil>
}

// Record what the executor does with a Recorder sink, and print the
// trace. Each line is one event: who, what, and why.
func Example_traceRecorder() {
	rec := trace.NewRecorder(64)
	_, _ = executor.Run(executor.Async(func(a *executor.Awaiter) int {
		child := executor.SpawnLocal(a.Context(), executor.Ready(41), executor.WithName("child"))
		return executor.Await(a, executor.Future[executor.Result[int]](child)).Value + 1
	}), executor.WithSink(rec))
	for _, e := range rec.Events() {
		e.Exec = 1
		fmt.Println(e)
	}
	// Output:
	// #1 exec1 T1 spawned "main" len=1
	// #2 exec1 turn
	// #3 exec1 T1 poll-started
	// #4 exec1 T2 spawned "child" len=1
	// #5 exec1 T1 waker-registered holder="join handle T2"
	// #6 exec1 T1 poll-ended pending
	// #7 exec1 turn
	// #8 exec1 T2 poll-started
	// #9 exec1 T2 poll-ended ready
	// #10 exec1 T2 completed
	// #11 exec1 T1 woken by task T2
	// #12 exec1 T1 queued len=1
	// #13 exec1 turn
	// #14 exec1 T1 poll-started
	// #15 exec1 T1 poll-ended ready
	// #16 exec1 T1 completed
}
