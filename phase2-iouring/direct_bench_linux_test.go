//go:build linux

package iouring

import (
	"fmt"
	"runtime"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"

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

// BenchmarkRingOpenClose isolates what a direct descriptor saves in the
// kernel, without the executor: batches of 16 OPENATs of /dev/null in one
// io_uring_enter, then their 16 CLOSEs in another, straight on the ring.
// plain installs each file in the process's descriptor table and CLOSE
// looks it up there; direct installs it in a registered-file slot
// (file_index) and CLOSE empties the slot. ns/op is per open+close pair.
func BenchmarkRingOpenClose(b *testing.B) {
	const batch = 16
	for _, direct := range []bool{false, true} {
		name := "plain"
		if direct {
			name = "direct"
		}
		b.Run(name, func(b *testing.B) {
			r, err := NewReactor(64)
			if err != nil {
				b.Skip(err)
			}
			defer r.Close()
			if err := r.EnableFixed(0, 0, batch); err != nil {
				b.Fatal(err)
			}
			path, _ := unix.BytePtrFromString("/dev/null")
			fds := make([]int32, batch)
			round := func(prep func(i int, s *SQE)) {
				for i := range batch {
					s := r.ring.NextSQE()
					prep(i, s)
					s.UserData = uint64(i)
				}
				if _, err := r.ring.Submit(batch); err != nil {
					b.Fatal(err)
				}
				for got := 0; got < batch; {
					got += r.ring.Reap(func(c CQE) {
						if c.Res < 0 {
							b.Fatalf("CQE %d: %v", c.UserData, unix.Errno(-c.Res))
						}
						fds[c.UserData] = c.Res
					})
					if got < batch {
						r.ring.Submit(1)
					}
				}
			}
			b.ResetTimer()
			for n := 0; n < b.N; n += batch {
				if direct {
					round(func(i int, s *SQE) { s.PrepOpenatDirect(unix.AT_FDCWD, path, unix.O_RDONLY, 0, uint32(i)) })
					round(func(i int, s *SQE) { s.PrepCloseDirect(uint32(i)) })
				} else {
					round(func(i int, s *SQE) { s.PrepOpenat(unix.AT_FDCWD, path, unix.O_RDONLY, 0) })
					round(func(i int, s *SQE) { s.PrepClose(int(fds[i])) })
				}
			}
			runtime.KeepAlive(path)
		})
	}
}

// BenchmarkRingReadFixedFile isolates what naming a registered-file slot
// saves per op: batches of 32 READs of 64 B from /dev/zero in one enter,
// by descriptor (the kernel looks it up and takes a reference on the file:
// the process is multi-threaded) or by slot (IOSQE_FIXED_FILE). ns/op is
// per READ.
func BenchmarkRingReadFixedFile(b *testing.B) {
	const batch = 32
	for _, fixed := range []bool{false, true} {
		name := "fd"
		if fixed {
			name = "slot"
		}
		b.Run(name, func(b *testing.B) {
			r, err := NewReactor(64)
			if err != nil {
				b.Skip(err)
			}
			defer r.Close()
			if err := r.EnableFixed(0, 0, 1); err != nil {
				b.Fatal(err)
			}
			fd, err := unix.Open("/dev/zero", unix.O_RDONLY|unix.O_CLOEXEC, 0)
			if err != nil {
				b.Fatal(err)
			}
			defer unix.Close(fd)
			if err := r.ring.(fixedRings).UpdateFiles(0, []int32{int32(fd)}); err != nil {
				b.Fatal(err)
			}
			// Outside the Go heap, so no pinning is needed while the
			// kernel writes it.
			pool, err := NewBufferPool(1, 64*batch)
			if err != nil {
				b.Fatal(err)
			}
			defer pool.Close()
			buf := pool.Buf(0)
			b.ResetTimer()
			for n := 0; n < b.N; n += batch {
				for i := range batch {
					s := r.ring.NextSQE()
					s.PrepRead(fd, unsafe.Pointer(&buf[i*64]), 64, 0)
					if fixed {
						s.Fd, s.Flags = 0, SQEFixedFile
					}
					s.UserData = uint64(i)
				}
				if _, err := r.ring.Submit(batch); err != nil {
					b.Fatal(err)
				}
				for got := 0; got < batch; {
					got += r.ring.Reap(func(c CQE) {
						if c.Res != 64 {
							b.Fatalf("READ: %d", c.Res)
						}
					})
					if got < batch {
						r.ring.Submit(1)
					}
				}
			}
		})
	}
}
