//go:build linux

package iouring

import (
	"testing"
	"time"

	executor "asyncworkbook/phase1-executor"
)

// drainWithin waits, parked, until no op but its own sleep is in flight,
// for at most d; it reports whether it got there.
func drainWithin(a *executor.Awaiter, r *Reactor, d time.Duration) bool {
	deadline := time.Now().Add(d)
	for r.InFlight() > 0 {
		if time.Now().After(deadline) {
			return false
		}
		executor.Await(a, Sleep(r, time.Millisecond))
	}
	return true
}

// erased is a future of any type, polled and dropped through closures.
type erased struct {
	poll func(cx *executor.Context) bool
	drop func()
}

func erase[T any](f executor.Future[T]) erased {
	return erased{
		poll: func(cx *executor.Context) bool { return f.Poll(cx).IsReady() },
		drop: func() {
			if d, ok := f.(executor.Dropper); ok {
				d.Drop()
			}
		},
	}
}

// TestEveryWrapperForwardsDrop: each future that wraps I/O — the phase-1
// combinators and phase 2's own — is polled until its op is in flight,
// then dropped; afterwards no op may stay in flight. (A Timeout(Read)
// flattened by a PollFn without Drop used to keep its RECV in flight on
// the fallback ring, swallowing the next Read's data.)
func TestEveryWrapperForwardsDrop(t *testing.T) {
	type env struct {
		ex     *executor.Executor
		r      *Reactor
		pipe   *File
		pipe2  *File
		stream *TCPStream
		ln     *TCPListener
	}
	cases := map[string]func(e env) erased{
		"File.ReadAt":  func(e env) erased { return erase(e.pipe.ReadAt(make([]byte, 8), -1)) },
		"Sleep":        func(e env) erased { return erase(Sleep(e.r, time.Hour)) },
		"Timeout":      func(e env) erased { return erase(Timeout(e.r, e.pipe.ReadAt(make([]byte, 8), -1), time.Hour)) },
		"Accept":       func(e env) erased { return erase(e.ln.Accept()) },
		"Stream.Read":  func(e env) erased { return erase(e.stream.Read(make([]byte, 8))) },
		"ReadWithin":   func(e env) erased { return erase(e.stream.ReadWithin(make([]byte, 8), time.Hour)) },
		"Timeout/Read": func(e env) erased { return erase(Timeout(e.r, e.stream.Read(make([]byte, 8)), time.Hour)) },
		"WriteAll to a peer that never reads": func(e env) erased {
			return erase(e.stream.WriteAll(make([]byte, 16<<20)))
		},
		"Select": func(e env) erased {
			return erase(executor.Select(e.pipe.ReadAt(make([]byte, 8), -1), e.pipe2.ReadAt(make([]byte, 8), -1)))
		},
		"Join": func(e env) erased {
			return erase(executor.Join(e.pipe.ReadAt(make([]byte, 8), -1), e.pipe2.ReadAt(make([]byte, 8), -1)))
		},
		"Join2": func(e env) erased {
			return erase(executor.Join2(e.pipe.ReadAt(make([]byte, 8), -1), Sleep(e.r, time.Hour)))
		},
		"Async": func(e env) erased {
			return erase(executor.Async(func(a *executor.Awaiter) int {
				return executor.Await(a, e.stream.ReadWithin(make([]byte, 8), time.Hour)).Value
			}))
		},
		"JoinHandle": func(e env) erased {
			return erase(executor.Future[executor.Result[executor.Result[int]]](
				executor.Spawn(e.ex, e.pipe.ReadAt(make([]byte, 8), -1))))
		},
	}
	for name, build := range cases {
		t.Run(name, func(t *testing.T) {
			ex, r, rec := newRuntime(t)
			pipe, _ := newPipe(t, r)
			pipe2, _ := newPipe(t, r)
			stream, _ := acceptPeer(t, ex, r)
			ln, err := Listen(r, "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			defer ln.Close()
			e := env{ex, r, pipe, pipe2, stream, ln}
			_, err = executor.BlockOn(ex, executor.Async(func(a *executor.Awaiter) int {
				f := build(e)
				if f.poll(a.Context()) {
					t.Error("ready at once: nothing to drop")
					return 0
				}
				for range 3 {
					executor.Await(a, executor.YieldNow()) // the turns' enters submit it
					f.poll(a.Context())
				}
				if r.InFlight() == 0 {
					t.Error("no op in flight: the case tests nothing")
					return 0
				}
				f.drop()
				if !drainWithin(a, r, 5*time.Second) {
					t.Errorf("%d ops still in flight 5 s after the drop:%s", r.InFlight(), dumpTrace(rec))
				}
				return 0
			}))
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}
