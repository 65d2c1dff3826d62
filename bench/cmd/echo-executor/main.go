//go:build linux

// Command echo-executor is a TCP echo server on one phase-2 executor: one
// goroutine, one io_uring (or the fallback ring with WORKBOOK_RING=fallback).
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"

	executor "asyncworkbook/phase1-executor"
	iouring "asyncworkbook/phase2-iouring"
	pools "asyncworkbook/phase4-pools"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile here until SIGTERM/SIGINT")
	multishot := flag.Bool("multishot", true, "multishot ACCEPT and RECV from a provided-buffer ring (falls back to single-shot where the ring has none)")
	lock := flag.Bool("lock", false, "run the executor on a locked OS thread (runtime.LockOSThread before the ring is set up)")
	handwritten := flag.Bool("handwritten", false, "serve each connection with a hand-written future (echoConn) instead of an Async coroutine")
	lend := flag.Bool("lend", false, "serve each connection with a hand-written future that echoes from the lent provided buffer (ReadLent, WriteAllLent): no copies")
	ringKind := flag.String("ring", "default", "ring setup: default (COOP_TASKRUN), single (SINGLE_ISSUER) or defer (SINGLE_ISSUER + DEFER_TASKRUN); single and defer imply -lock")
	procs := flag.Int("procs", 1, "GOMAXPROCS (the executor is one goroutine whatever this says; with 2, Go's sysmon finds an idle P and stops handing the executor's P to another thread while it waits in io_uring_enter)")
	flag.Parse()
	runtime.GOMAXPROCS(*procs)
	var opts []iouring.ReactorOption
	switch *ringKind {
	case "default":
	case "single":
		opts, *lock = append(opts, iouring.WithSingleIssuer()), true
	case "defer":
		opts, *lock = append(opts, iouring.WithDeferTaskrun()), true
	default:
		fmt.Fprintf(os.Stderr, "-ring=%q: want default, single or defer\n", *ringKind)
		os.Exit(2)
	}
	if *lock {
		// main's goroutine, locked to its thread from before the ring is
		// set up until the process exits: the thread that submits is the
		// one that waits, and SINGLE_ISSUER's rule holds. Everything
		// below — the executor, its coroutines — runs on this goroutine.
		runtime.LockOSThread()
	}
	if *cpuprofile != "" {
		stop, err := profile(*cpuprofile)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		defer stop()
	}
	r, err := iouring.NewReactorWith(1024, opts...)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if *multishot {
		// 2048 buffers of 4 KiB (8 MiB): room for every connection of the
		// benchmark to hold a buffer or two. EnableMultishot says why not
		// where it cannot; streams then use single-shot RECV.
		if err := r.EnableMultishot(2048, 4096); err != nil {
			fmt.Fprintln(os.Stderr, "multishot off:", err)
		}
	}
	ln, err := iouring.Listen(r, *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(ln.Addr()) // the load generator reads this line
	fmt.Fprintln(os.Stderr, "ring:", r.RingKind(), "setup:", r.SetupFlags(), "locked:", *lock)
	ex := executor.New(executor.WithDriver(r))
	_, err = executor.BlockOn(ex, executor.Async(func(a *executor.Awaiter) error {
		for {
			c := executor.Await(a, ln.Accept())
			if c.Err != nil {
				return c.Err
			}
			if *lend {
				executor.SpawnLocal(a.Context(), pools.EchoLent(c.Value)) // no copies (phase4-pools/echo_lend.go)
			} else if *handwritten {
				executor.SpawnLocal(a.Context(), executor.Future[error](newEchoConn(c.Value)))
			} else {
				executor.SpawnLocal(a.Context(), serve(c.Value))
			}
		}
	}))
	fmt.Fprintln(os.Stderr, err)
}

// serve echoes one connection until the peer closes it.
func serve(c *iouring.TCPStream) executor.Future[error] {
	return executor.Async(func(a *executor.Awaiter) error {
		buf := make([]byte, 4096)
		for {
			n := executor.Await(a, c.Read(buf))
			if n.Err != nil || n.Value == 0 {
				executor.Await(a, c.Close())
				return n.Err
			}
			if w := executor.Await(a, c.WriteAll(buf[:n.Value])); w.Err != nil {
				executor.Await(a, c.Close())
				return w.Err
			}
		}
	})
}

// echoConn is serve written out as a state machine: the same Read and
// WriteAll futures, polled directly by the connection's task, so a round
// trip costs no coroutine switch (an Async task resumes its coroutine
// twice per round trip: after the read and after the write).
type echoConn struct {
	c   *iouring.TCPStream
	buf []byte
	rd  executor.Future[executor.Result[int]] // the Read in flight, or nil
	wr  executor.Future[executor.Result[int]] // the WriteAll in flight, or nil
	cl  executor.Future[executor.Result[int]] // the Close, once the peer is gone
	err error
}

func newEchoConn(c *iouring.TCPStream) *echoConn {
	return &echoConn{c: c, buf: make([]byte, 4096)}
}

// Poll implements executor.Future: read, write back what came, again,
// until the peer closes or an op fails; then close.
func (e *echoConn) Poll(cx *executor.Context) executor.Poll[error] {
	for {
		switch {
		case e.cl != nil:
			if _, ok := e.cl.Poll(cx).Value(); !ok {
				return executor.Pending[error]()
			}
			return executor.PollReady(e.err)
		case e.wr != nil:
			w, ok := e.wr.Poll(cx).Value()
			if !ok {
				return executor.Pending[error]()
			}
			e.wr = nil
			if w.Err != nil {
				e.err, e.cl = w.Err, e.c.Close()
			}
		default:
			if e.rd == nil {
				e.rd = e.c.Read(e.buf)
			}
			n, ok := e.rd.Poll(cx).Value()
			if !ok {
				return executor.Pending[error]()
			}
			e.rd = nil
			if n.Err != nil || n.Value == 0 {
				e.err, e.cl = n.Err, e.c.Close()
				continue
			}
			e.wr = e.c.WriteAll(e.buf[:n.Value])
		}
	}
}

// Drop implements executor.Dropper: the op in flight is dropped (it
// cancels itself) and the stream released.
func (e *echoConn) Drop() {
	for _, f := range []executor.Future[executor.Result[int]]{e.rd, e.wr, e.cl} {
		if d, ok := f.(executor.Dropper); ok {
			d.Drop()
		}
	}
	if e.cl == nil {
		e.c.Release()
	}
}
