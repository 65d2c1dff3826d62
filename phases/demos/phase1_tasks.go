package demos

import (
	"errors"
	"fmt"

	executor "asyncworkbook/phase1-executor"
	"asyncworkbook/phases/trace"
)

// Demos about tasks as the executor sees them: the run queue, join
// handles, panics and cancellation.

func init() {
	Register(Demo{
		ID:    "p1-run-queue",
		Title: "The run queue: four tasks taking turns",
		About: "Four tasks each yield three times. YieldNow sends a task " +
			"to the back of the FIFO run queue, so they run round-robin: " +
			"A, B, C, D, A, B, C, D... Watch the queue length in each turn.",
		Run: runQueue,
	})
	Register(Demo{
		ID:    "p1-join-handle",
		Title: "Join handles: published before or after the await",
		About: "early finishes before main looks at its handle: the handle " +
			"is Ready at once, no waker needed. late is still running when " +
			"main awaits it: main hands its waker to the handle and is " +
			"woken by late's completion. A detached task runs on its own.",
		Run: joinHandles,
	})
	Register(Demo{
		ID:    "p1-panic",
		Title: "A panicking task, caught by its join handle",
		About: "faulty panics in its second poll. The executor recovers, " +
			"hands a *PanicError to faulty's handle, and goes on polling " +
			"steady, which finishes as if nothing happened.",
		Run: panicDemo,
	})
	Register(Demo{
		ID:    "p1-cancel",
		Title: "Cancellation: before, during and by Select",
		About: "Three tasks are cancelled: one before its first poll (never " +
			"polled), one waiting on a channel (its coroutine is stopped), " +
			"and one that loses a Select (dropped while queued). Each " +
			"handle yields ErrCancelled.",
		Run: cancelDemo,
	})
}

func runQueue(sink trace.Sink) error {
	main := executor.Async(func(a *executor.Awaiter) string {
		var hs []executor.Future[executor.Result[string]]
		for _, name := range []string{"A", "B", "C", "D"} {
			h := executor.SpawnLocal(a.Context(), yields(3, name), executor.WithName(name))
			hs = append(hs, h)
		}
		out := ""
		for _, r := range executor.Await(a, executor.Join(hs...)) {
			out += r.Value
		}
		return out
	})
	return run(sink, "main", main, want("ABCD"))
}

func joinHandles(sink trace.Sink) error {
	main := executor.Async(func(a *executor.Awaiter) string {
		cx := a.Context()
		early := executor.SpawnLocal(cx, executor.Ready("early"), executor.WithName("early"))
		late := executor.SpawnLocal(cx, yields(3, "late"), executor.WithName("late"))
		executor.SpawnLocal(cx, yields(1, "ignored"), executor.WithName("detached")).Detach()
		// Let early run to completion before we look at its handle.
		executor.Await(a, executor.YieldNow())
		e := executor.Await[executor.Result[string]](a, early) // Ready at once
		l := executor.Await[executor.Result[string]](a, late)  // Pending, woken by late
		return e.Value + "," + l.Value
	})
	return run(sink, "main", main, want("early,late"))
}

func panicDemo(sink trace.Sink) error {
	main := executor.Async(func(a *executor.Awaiter) error {
		cx := a.Context()
		faulty := executor.SpawnLocal(cx, executor.Async(func(a *executor.Awaiter) int {
			executor.Await(a, executor.YieldNow())
			panic("sensor offline")
		}), executor.WithName("faulty"))
		steady := executor.SpawnLocal(cx, yields(3, 7), executor.WithName("steady"))
		rs := executor.Await(a, executor.Join[executor.Result[int]](faulty, steady))
		var pe *executor.PanicError
		if !errors.As(rs[0].Err, &pe) || pe.Value != "sensor offline" {
			return fmt.Errorf("faulty yielded %v, want a *PanicError", rs[0].Err)
		}
		if rs[1].Err != nil || rs[1].Value != 7 {
			return fmt.Errorf("steady yielded %+v, want 7", rs[1])
		}
		return nil
	})
	return run(sink, "main", main, func(err error) error { return err })
}

func cancelDemo(sink trace.Sink) error {
	main := executor.Async(func(a *executor.Awaiter) error {
		cx := a.Context()

		// 1. Cancelled before its first poll: it is never polled.
		never := executor.SpawnLocal(cx, executor.Ready(1), executor.WithName("never polled"))
		never.Cancel()

		// 2. Cancelled while it waits: its coroutine is stopped.
		ch := executor.NewChan[int]()
		waiter := executor.SpawnLocal(cx, executor.Async(func(a *executor.Awaiter) int {
			return executor.Await(a, ch.Recv()).Value // nobody ever sends
		}), executor.WithName("waiter"))
		executor.Await(a, executor.YieldNow()) // let waiter start and wait
		waiter.Cancel()

		// 3. The loser of a Select is dropped, which cancels its task.
		slow := executor.SpawnLocal(cx, yields(5, 1), executor.WithName("slow"))
		quick := executor.SpawnLocal(cx, yields(1, 2), executor.WithName("quick"))
		sel := executor.Await(a, executor.Select[executor.Result[int]](slow, quick))
		if sel.Index != 1 {
			return fmt.Errorf("the select picked %d, want quick (1)", sel.Index)
		}

		for _, h := range []executor.JoinHandle[int]{never, waiter, slow} {
			if r := executor.Await[executor.Result[int]](a, h); !errors.Is(r.Err, executor.ErrCancelled) {
				return fmt.Errorf("task T%d yielded %+v, want ErrCancelled", h.ID(), r)
			}
		}
		return nil
	})
	return run(sink, "main", main, func(err error) error { return err })
}
