package demos

import (
	"fmt"
	"strings"

	executor "asyncworkbook/phase1-executor"
	"asyncworkbook/phases/trace"
)

// The first demos: what a task is, how to start one and wait for it, and
// the two ways of writing one.

func init() {
	Register(Demo{
		ID:    "p1-promise-all",
		Title: "Promise.all: two fetches at once",
		About: "main starts two fetch tasks and waits for both with Join. " +
			"Watch the two fetches take turns: neither waits for the other " +
			"to finish before making progress, yet there is only one goroutine.",
		Run: promiseAll,
	})
	Register(Demo{
		ID:    "p1-spawn-join",
		Title: "Spawn a task, await its handle",
		About: "One task is spawned from outside before the executor runs, " +
			"another from inside main with SpawnLocal. main awaits both " +
			"join handles: watch it go Pending on the first and be woken " +
			"by that task when it completes.",
		Run: spawnJoin,
	})
	Register(Demo{
		ID:    "p1-countdown",
		Title: "A hand-written future: countdown",
		About: "A future written by hand as a state machine: each poll " +
			"counts down by one, wakes its own task and returns Pending, " +
			"until it reaches zero and returns Ready.",
		Run: countdownDemo,
	})
	Register(Demo{
		ID:    "p1-async-await",
		Title: "State machine and coroutine, side by side",
		About: "The same countdown twice: once as a hand-written future, " +
			"once as an Async function that Awaits YieldNow in a loop. " +
			"The two tasks produce the same events: the executor cannot " +
			"tell them apart.",
		Run: asyncAwait,
	})
}

// promiseAll is the seed's Promise.all: two fetches run concurrently and
// main waits for both. Each YieldNow stands for a network round trip.
func promiseAll(sink trace.Sink) error {
	main := executor.Async(func(a *executor.Awaiter) string {
		cx := a.Context()
		users := executor.SpawnLocal(cx, yields(2, "users"), executor.WithName("fetch users"))
		orders := executor.SpawnLocal(cx, yields(3, "orders"), executor.WithName("fetch orders"))
		both := executor.Await(a, executor.Join[executor.Result[string]](users, orders))
		return both[0].Value + "+" + both[1].Value
	})
	return run(sink, "main", main, want("users+orders"))
}

func spawnJoin(sink trace.Sink) error {
	ex := newExecutor(sink)
	defer ex.Close()
	// Spawned before the executor runs: it waits in the wake list until
	// BlockOn's first turn.
	greeter := executor.Spawn(ex, yields(1, "hello"), executor.WithName("greeter"))
	got, err := executor.BlockOn(ex, executor.Async(func(a *executor.Awaiter) string {
		// Spawned from inside a poll: straight onto the run queue.
		counter := executor.SpawnLocal(a.Context(), executor.Ready(3), executor.WithName("counter"))
		g := executor.Await[executor.Result[string]](a, greeter)
		c := executor.Await[executor.Result[int]](a, counter)
		return fmt.Sprintf("%s x%d", g.Value, c.Value)
	}), executor.WithName("main"))
	if err != nil {
		return err
	}
	return want("hello x3")(got)
}

// countdown is a future written by hand: its one field is the state that
// must survive a Pending.
type countdown struct {
	n int
}

func (c *countdown) Poll(cx *executor.Context) executor.Poll[string] {
	if c.n == 0 {
		return executor.PollReady("liftoff")
	}
	c.n--
	// Not done: make sure we are polled again, then say so.
	cx.Wake(cx.WakerFor("countdown (itself)"))
	return executor.Pending[string]()
}

func countdownDemo(sink trace.Sink) error {
	return run(sink, "countdown", executor.Future[string](&countdown{n: 3}), want("liftoff"))
}

func asyncAwait(sink trace.Sink) error {
	main := executor.Async(func(a *executor.Awaiter) string {
		cx := a.Context()
		machine := executor.SpawnLocal(cx, executor.Future[string](&countdown{n: 3}),
			executor.WithName("state machine"))
		coroutine := executor.SpawnLocal(cx, executor.Async(func(a *executor.Awaiter) string {
			for range 3 {
				executor.Await(a, executor.YieldNow())
			}
			return "liftoff"
		}), executor.WithName("coroutine"))
		rs := executor.Await(a, executor.Join[executor.Result[string]](machine, coroutine))
		return strings.Join([]string{rs[0].Value, rs[1].Value}, ",")
	})
	return run(sink, "main", main, want("liftoff,liftoff"))
}
