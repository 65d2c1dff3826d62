//go:build linux

package demos

import (
	"errors"
	"fmt"
	"strings"
	"time"

	executor "asyncworkbook/phase1-executor"
	iouring "asyncworkbook/phase2-iouring"
	"asyncworkbook/phases/trace"
)

// Demos of the reactor's three steps — submit, reap, wake — and of one
// operation's life as a future.

func init() {
	Register(Demo{
		ID:    "p2-kernel-sleep",
		Title: "A kernel Sleep: parking is submitting",
		About: "main sleeps 2 ms with iouring.Sleep, an IORING_OP_TIMEOUT. " +
			"Its poll only prepares the SQE; the executor then parks, and " +
			"the park's one io_uring_enter both submits the TIMEOUT and " +
			"waits for it. The CQE (res -62, ETIME) wakes main.",
		Run: kernelSleep,
	})
	Register(Demo{
		ID:    "p2-out-of-order",
		Title: "Completions come back in their own order",
		About: "sleeper's TIMEOUT (10 ms) is submitted before writer's " +
			"WRITE to a pipe, in the same enter, but the WRITE completes " +
			"first. " +
			"The reaper does not care about order: each CQE's user_data " +
			"names its op, and the op names the task to wake.",
		Run: outOfOrder,
	})
	Register(Demo{
		ID:    "p2-echo",
		Title: "An echo round trip: each CQE wakes its own task",
		About: "client connects to server, sends ping, reads the echo and " +
			"hangs up. Two tasks share one ring: watch each CQE's " +
			"user_data lead to the op table entry and on to the right " +
			"task, woken by completion.",
		Run: echo,
	})
	Register(Demo{
		ID:    "p2-op-life",
		Title: "The life of one READ, with a spurious poll",
		About: "main joins a READ of an empty pipe with a coroutine that " +
			"sleeps 1 ms, then writes to the pipe. When the sleep ends " +
			"main is polled and so is the READ: still in flight, it only " +
			"takes the new waker. Then the WRITE lands and the READ's CQE " +
			"makes it Ready.",
		Run: opLife,
	})
}

func kernelSleep(sink trace.Sink) error {
	return run2(sink, "main", func(e *env2) executor.Future[error] {
		return executor.Async(func(a *executor.Awaiter) error {
			start := time.Now()
			if s := executor.Await(a, iouring.Sleep(e.r, 2*time.Millisecond)); s.Err != nil {
				return s.Err
			}
			if el := time.Since(start); el < 2*time.Millisecond {
				return fmt.Errorf("slept %v, want at least 2ms", el)
			}
			return nil
		})
	}, errorOf)
}

func outOfOrder(sink trace.Sink) error {
	return run2(sink, "main", func(e *env2) executor.Future[string] {
		return executor.Async(func(a *executor.Awaiter) string {
			// A pipe with room in it takes a WRITE at once, during the
			// enter: the surest "quick" op there is.
			pipe, err := e.fifo(a, "pipe")
			if err != nil {
				return err.Error()
			}
			var order []string // the order the tasks finished in
			cx := a.Context()
			// Spawned in this order, polled in this order in the next
			// turn, so their SQEs sit in the SQ in this order too.
			sleeper := executor.SpawnLocal(cx, executor.Async(func(a *executor.Awaiter) error {
				s := executor.Await(a, iouring.Sleep(e.r, 10*time.Millisecond))
				order = append(order, "sleeper")
				return s.Err
			}), executor.WithName("sleeper"))
			writer := executor.SpawnLocal(cx, executor.Async(func(a *executor.Awaiter) error {
				w := executor.Await(a, pipe.WriteAt([]byte("done"), 0))
				order = append(order, "writer")
				return w.Err
			}), executor.WithName("writer"))
			rs := executor.Await(a, executor.Join[executor.Result[error]](sleeper, writer))
			executor.Await(a, pipe.Close())
			if err := errors.Join(rs[0].Err, rs[0].Value, rs[1].Err, rs[1].Value); err != nil {
				return err.Error()
			}
			return strings.Join(order, ",")
		})
	}, want("writer,sleeper"))
}

func echo(sink trace.Sink) error {
	return run2(sink, "client", func(e *env2) executor.Future[string] {
		return executor.Async(func(a *executor.Awaiter) string {
			ln, err := iouring.Listen(e.r, "127.0.0.1:0")
			if err != nil {
				return err.Error()
			}
			defer ln.Close()
			srv := executor.SpawnLocal(a.Context(), executor.Async(func(a *executor.Awaiter) error {
				c := executor.Await(a, ln.Accept())
				if c.Err != nil {
					return c.Err
				}
				defer func() { executor.Await(a, c.Value.Close()) }()
				buf := make([]byte, 64)
				for {
					n := executor.Await(a, c.Value.Read(buf))
					if n.Err != nil || n.Value == 0 {
						return n.Err // 0 bytes: the client hung up
					}
					if w := executor.Await(a, c.Value.WriteAll(buf[:n.Value])); w.Err != nil {
						return w.Err
					}
				}
			}), executor.WithName("server"))

			c := executor.Await(a, iouring.Connect(e.r, ln.Addr()))
			if c.Err != nil {
				return c.Err.Error()
			}
			executor.Await(a, c.Value.WriteAll([]byte("ping")))
			buf := make([]byte, 4)
			n := executor.Await(a, c.Value.Read(buf))
			executor.Await(a, c.Value.Close())
			res := executor.Await[executor.Result[error]](a, srv)
			if err := errors.Join(n.Err, res.Err, res.Value); err != nil {
				return err.Error()
			}
			return string(buf[:n.Value])
		})
	}, want("ping"))
}

func opLife(sink trace.Sink) error {
	return run2(sink, "main", func(e *env2) executor.Future[string] {
		return executor.Async(func(a *executor.Awaiter) string {
			pipe, err := e.fifo(a, "pipe")
			if err != nil {
				return err.Error()
			}
			defer func() { executor.Await(a, pipe.Close()) }()
			buf := make([]byte, 16)
			later := executor.Async(func(a *executor.Awaiter) executor.Result[int] {
				executor.Await(a, iouring.Sleep(e.r, time.Millisecond))
				return executor.Await(a, pipe.WriteAt([]byte("hi"), 0))
			})
			both := executor.Await(a, executor.Join2(pipe.ReadAt(buf, 0), later))
			if err := errors.Join(both.A.Err, both.B.Err); err != nil {
				return err.Error()
			}
			return string(buf[:both.A.Value])
		})
	}, want("hi"))
}
