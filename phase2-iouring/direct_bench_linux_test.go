//go:build linux

package iouring

import (
	"fmt"
	"testing"

	executor "asyncworkbook/phase1-executor"
)

// Benchmarks of the phase-2 fast paths on sockets, client and server in
// one executor (one goroutine, no cross-thread wakeups): what is measured
// is the ring's per-op cost. Compare the sub-benchmarks of one run
// (-count 5, medians): the machine may be shared.
//
//	go test -run '^$' -bench 'Direct|RecvPollFirst' -count 5 ./phase2-iouring/

const echoSize = 64

// benchLoop runs body b.N times in one coroutine on a fresh reactor with
// 64 registered-file slots.
func benchLoop(b *testing.B, body func(a *executor.Awaiter, r *Reactor, ln *TCPListener) error) {
	r, err := NewReactor(256)
	if err != nil {
		b.Skip(err)
	}
	defer r.Close()
	if err := r.EnableFixed(0, 0, 64); err != nil {
		b.Fatalf("EnableFixed: %v", err)
	}
	ex := executor.New(executor.WithDriver(r))
	defer ex.Close()
	ln, err := Listen(r, "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	_, err = executor.BlockOn(ex, executor.Async(func(a *executor.Awaiter) int {
		if e := body(a, r, ln); e != nil {
			err = e
		}
		return 0
	}))
	if err != nil {
		b.Fatal(err)
	}
}

// connectPair accepts (directly or not) the client's Connect.
func connectPair(a *executor.Awaiter, r *Reactor, ln *TCPListener, direct bool) (srv, cli *TCPStream, err error) {
	acc := ln.Accept()
	if direct {
		acc = ln.AcceptDirect()
	}
	p := executor.Await(a, executor.Join2(acc, Connect(r, ln.Addr())))
	if p.A.Err != nil || p.B.Err != nil {
		return nil, nil, fmt.Errorf("accept %v, connect %v", p.A.Err, p.B.Err)
	}
	if _, ok := p.A.Value.Slot(); ok != direct {
		return nil, nil, fmt.Errorf("direct %v wanted, status %s", direct, r.DirectStatus())
	}
	return p.A.Value, p.B.Value, nil
}

// roundTrip is one echo: the client sends, the server reads and sends it
// back, the client reads. Each side's RECV is armed before the peer's
// SEND (Join2 polls the Read first), so it finds the socket empty.
func roundTrip(a *executor.Awaiter, srv, cli *TCPStream, out, in, back []byte) error {
	p := executor.Await(a, executor.Join2(srv.Read(in), cli.WriteAll(out)))
	if p.A.Err != nil || p.B.Err != nil || p.A.Value != len(out) {
		return fmt.Errorf("server read %d %v, client write %v", p.A.Value, p.A.Err, p.B.Err)
	}
	q := executor.Await(a, executor.Join2(cli.Read(back), srv.WriteAll(in[:p.A.Value])))
	if q.A.Err != nil || q.B.Err != nil || q.A.Value != len(out) {
		return fmt.Errorf("client read %d %v, server write %v", q.A.Value, q.A.Err, q.B.Err)
	}
	return nil
}

// BenchmarkDirect compares a server connection accepted into a
// registered-file slot (AcceptDirect: RECV and SEND with IOSQE_FIXED_FILE,
// CLOSE of the slot) with a plain descriptor (Accept):
//
//	conn   accept + one 64 B echo + close, per iteration
//	echo   one 64 B echo on a connection set up once
func BenchmarkDirect(b *testing.B) {
	for _, direct := range []bool{false, true} {
		name := "plain"
		if direct {
			name = "direct"
		}
		b.Run("conn/"+name, func(b *testing.B) {
			benchLoop(b, func(a *executor.Awaiter, r *Reactor, ln *TCPListener) error {
				out, in, back := make([]byte, echoSize), make([]byte, echoSize), make([]byte, echoSize)
				b.ResetTimer()
				for range b.N {
					srv, cli, err := connectPair(a, r, ln, direct)
					if err != nil {
						return err
					}
					if err := roundTrip(a, srv, cli, out, in, back); err != nil {
						return err
					}
					c := executor.Await(a, executor.Join2(srv.Close(), cli.Close()))
					if c.A.Err != nil || c.B.Err != nil {
						return fmt.Errorf("close %v %v", c.A.Err, c.B.Err)
					}
				}
				b.StopTimer()
				return nil
			})
		})
		b.Run("echo/"+name, func(b *testing.B) {
			benchEcho(b, direct, false)
		})
	}
}

// BenchmarkRecvPollFirst compares the echo loop's RECVs with and without
// IORING_RECVSEND_POLL_FIRST (both sides' RECVs go out on an empty
// socket: the case it is meant for).
func BenchmarkRecvPollFirst(b *testing.B) {
	b.Run("off", func(b *testing.B) { benchEcho(b, false, false) })
	b.Run("on", func(b *testing.B) { benchEcho(b, false, true) })
}

func benchEcho(b *testing.B, direct, pollFirst bool) {
	benchLoop(b, func(a *executor.Awaiter, r *Reactor, ln *TCPListener) error {
		srv, cli, err := connectPair(a, r, ln, direct)
		if err != nil {
			return err
		}
		defer func() { executor.Await(a, executor.Join2(srv.Close(), cli.Close())) }()
		if pollFirst && !(srv.SetRecvPollFirst(true) && cli.SetRecvPollFirst(true)) {
			return fmt.Errorf("IORING_RECVSEND_POLL_FIRST unsupported here")
		}
		out, in, back := make([]byte, echoSize), make([]byte, echoSize), make([]byte, echoSize)
		b.ResetTimer()
		for range b.N {
			if err := roundTrip(a, srv, cli, out, in, back); err != nil {
				return err
			}
		}
		b.StopTimer()
		return nil
	})
}
