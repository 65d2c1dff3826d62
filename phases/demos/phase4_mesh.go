//go:build linux

package demos

import (
	"errors"
	"fmt"
	"time"

	executor "asyncworkbook/phase1-executor"
	iouring "asyncworkbook/phase2-iouring"
	pools "asyncworkbook/phase4-pools"
	"asyncworkbook/phases/trace"
)

// Phase 4's demos of messages between executors: the mesh's SPSC
// channels, SubmitTo and its in-flight bound, a sharded map, and the
// pool's shutdown.

func init() {
	Register(Demo{
		ID:    "p4-messages",
		Title: "Messages between executors: batched, woken only when waiting",
		About: "Executor 0 sends executor 1 five requests in one turn: five " +
			"msg-sent, then one msg-flushed publishes them with one store, and a " +
			"msg-wake only because executor 1 was waiting. Then forty: the channel " +
			"publishes by itself every 16 (BatchSize), and a receiver already " +
			"woken is not woken again. Watch the depth rise and fall.",
		Run: messagesDemo,
	})
	Register(Demo{
		ID:    "p4-submit-to",
		Title: "SubmitTo: run work on another executor, at most 2 in flight",
		About: "A task on executor 0 asks executor 1 to square six numbers. " +
			"Each SubmitTo sends a request; executor 1 runs it as a task and " +
			"sends the answer back. The pool allows 2 requests in flight per " +
			"destination here: the third waits (submit-waiting) until an " +
			"answer frees a slot.",
		Run: submitToDemo,
	})
	Register(Demo{
		ID:    "p4-sharding",
		Title: "Sharding: every key has one owner",
		About: "A ShardedMap splits its keys over the executors by a hash. " +
			"Put and Get go to the key's owner with SubmitTo (or run inline " +
			"when the caller is the owner): no lock, no shared map. Watch the " +
			"requests go to one executor or the other, key by key.",
		Run: shardingDemo,
	})
	Register(Demo{
		ID:    "p4-shutdown",
		Title: "Shutdown: stop accepting, drain, deadline, report",
		About: "Executor 1 runs a task that finishes a little after the " +
			"shutdown begins, and one that would sleep for an hour. Shutdown " +
			"refuses new work at once (stop-accepting), lets the first finish " +
			"(draining), cancels the sleeper at the 100 ms deadline and reports " +
			"what each executor completed and cancelled. (Stepping slowly, the " +
			"deadline may catch the first task too: the report says so.)",
		Run: shutdownDemo,
	})
}

// burst submits n requests from the executor it runs on to executor dst
// in one turn (n tasks spawned together) and returns the sum of answers
// (i+1 for the i-th).
func burst(p *pools.Pool, dst, n int) executor.Future[int] {
	return executor.Async(func(a *executor.Awaiter) int {
		hs := make([]executor.JoinHandle[executor.Result[int]], n)
		for i := range n {
			hs[i] = executor.SpawnLocal(a.Context(), pools.SubmitTo(p, dst, func() executor.Future[int] {
				return executor.Ready(i + 1)
			}), executor.WithName(fmt.Sprintf("request %d", i+1)))
		}
		sum := 0
		for _, h := range hs {
			r := executor.Await(a, executor.Future[executor.Result[executor.Result[int]]](h))
			if r.Err != nil || r.Value.Err != nil {
				return -1
			}
			sum += r.Value.Value
		}
		return sum
	})
}

func messagesDemo(sink trace.Sink) error {
	return inPool(sink, pools.Unbound(2), pools.Options{}, func(p *pools.Pool) error {
		for _, n := range []int{5, 40} {
			sum, err := join(p, 0, burst(p, 1, n), fmt.Sprintf("%d requests", n))
			if err != nil {
				return err
			}
			if want := n * (n + 1) / 2; sum != want {
				return fmt.Errorf("%d requests: answers sum to %d, want %d", n, sum, want)
			}
		}
		return nil
	})
}

type squared struct{ n, sq, shard int }

func submitToDemo(sink trace.Sink) error {
	return inPool(sink, pools.Unbound(2), pools.Options{MaxInFlight: 2}, func(p *pools.Pool) error {
		out, err := join(p, 0, executor.Async(func(a *executor.Awaiter) []squared {
			hs := make([]executor.JoinHandle[executor.Result[squared]], 6)
			for i := range hs {
				n := i + 1
				hs[i] = executor.SpawnLocal(a.Context(), pools.SubmitTo(p, 1, func() executor.Future[squared] {
					// Runs on executor 1: yield once, so requests stay open a while.
					return executor.Async(func(a *executor.Awaiter) squared {
						executor.Await(a, executor.YieldNow())
						return squared{n: n, sq: n * n, shard: p.Current(a.Context()).ID()}
					})
				}), executor.WithName(fmt.Sprintf("square %d", n)))
			}
			var out []squared
			for _, h := range hs {
				r := executor.Await(a, executor.Future[executor.Result[executor.Result[squared]]](h))
				out = append(out, r.Value.Value)
			}
			return out
		}), "asker")
		if err != nil {
			return err
		}
		for i, s := range out {
			if s.n != i+1 || s.sq != s.n*s.n || s.shard != 1 {
				return fmt.Errorf("answer %d: %+v, want %d² computed on executor 1", i+1, s, i+1)
			}
		}
		return nil
	})
}

func shardingDemo(sink trace.Sink) error {
	return inPool(sink, pools.Unbound(2), pools.Options{}, func(p *pools.Pool) error {
		m := pools.NewShardedMap[string, int](p)
		keys := []string{"apple", "banana", "cherry", "damson", "elder", "fig"}
		bad, err := join(p, 0, executor.Async(func(a *executor.Awaiter) error {
			for i, k := range keys {
				r := executor.Await(a, m.Put(k, i))
				if r.Err != nil {
					return r.Err
				}
				if r.Value != pools.ShardOf(p, k) {
					return fmt.Errorf("Put(%q) stored on executor %d, its owner is %d", k, r.Value, pools.ShardOf(p, k))
				}
			}
			for i, k := range keys {
				r := executor.Await(a, m.Get(k))
				if r.Err != nil {
					return r.Err
				}
				if !r.Value.Found || r.Value.Value != i || r.Value.Shard != pools.ShardOf(p, k) {
					return fmt.Errorf("Get(%q) = %+v, want %d from executor %d", k, r.Value, i, pools.ShardOf(p, k))
				}
			}
			return nil
		}), "client")
		return errors.Join(err, bad)
	})
}

func shutdownDemo(sink trace.Sink) error {
	p, err := pools.New(pools.Unbound(2), pools.Options{Sink: sink})
	if err != nil {
		return err
	}
	// finisher waits for the shutdown to begin, then works two more turns.
	finisher := executor.Async(func(a *executor.Awaiter) string {
		executor.Await(a, p.Stopping())
		executor.Await(a, executor.YieldNow())
		executor.Await(a, executor.YieldNow())
		return "done"
	})
	if _, err := pools.Spawn(p, 1, finisher, executor.WithName("finisher")); err != nil {
		p.Shutdown(0)
		return err
	}
	sleeper := executor.Async(func(a *executor.Awaiter) error {
		return executor.Await(a, iouring.Sleep(p.Current(a.Context()).Reactor(), time.Hour)).Err
	})
	if _, err := pools.Spawn(p, 1, sleeper, executor.WithName("sleeper")); err != nil {
		p.Shutdown(0)
		return err
	}
	rep := p.Shutdown(100 * time.Millisecond)
	if _, err := pools.Spawn(p, 0, executor.Ready(0)); !errors.Is(err, pools.ErrShutdown) {
		return fmt.Errorf("pools.Spawn after Shutdown: %v, want ErrShutdown", err)
	}
	e := rep.Executors[1]
	if e.Completed+e.Cancelled != 2 || e.Cancelled < 1 || e.Drained {
		return fmt.Errorf("executor 1 reports %d completed, %d cancelled, drained %v; want the sleeper cancelled and both accounted for:\n%v", e.Completed, e.Cancelled, e.Drained, rep)
	}
	for _, e := range rep.Executors {
		if e.CloseErr != nil {
			return fmt.Errorf("executor %d: %w", e.ID, e.CloseErr)
		}
	}
	return nil
}
