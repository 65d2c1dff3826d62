//go:build linux

package iouring

import (
	"fmt"
	"runtime"
	"testing"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	executor "asyncworkbook/phase1-executor"
)

// Benchmarks of the phase-2 fast paths on sockets, client and server in
// one executor (one goroutine, no cross-thread wakeups): what is measured
// is the ring's per-op cost. Compare the sub-benchmarks of one run
// (-count 5, medians): the machine may be shared.
//
//	go test -run '^$' -bench 'Direct|RecvPollFirst|Ring(OpenClose|ReadFixed)' -count 5 ./phase2-iouring/

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

// conn is accept + one 64 B echo + close of both ends.
func conn(a *executor.Awaiter, r *Reactor, ln *TCPListener, direct bool, out, in, back []byte) error {
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
	return nil
}

// timeBoth runs fa and fb by turns b.N times each in one coroutine,
// timing each, and reports each one's ns per op and fb's over fa's: a
// load that comes and goes on a shared machine falls on both alike.
func timeBoth(b *testing.B, nameA, nameB string, fa, fb func() error) error {
	var ta, tb time.Duration
	b.ResetTimer()
	for range b.N {
		t0 := time.Now()
		if err := fa(); err != nil {
			return err
		}
		t1 := time.Now()
		if err := fb(); err != nil {
			return err
		}
		tb += time.Since(t1)
		ta += t1.Sub(t0)
	}
	b.StopTimer()
	b.ReportMetric(float64(ta.Nanoseconds())/float64(b.N), "ns/"+nameA)
	b.ReportMetric(float64(tb.Nanoseconds())/float64(b.N), "ns/"+nameB)
	b.ReportMetric(float64(tb)/float64(ta), nameB+"/"+nameA)
	return nil
}

// BenchmarkDirect compares a server connection accepted into a
// registered-file slot (AcceptDirect: RECV and SEND with IOSQE_FIXED_FILE,
// CLOSE of the slot) with a plain descriptor (Accept), alternating the
// two in one loop:
//
//	conn   accept + one 64 B echo + close, per iteration
//	echo   one 64 B echo on a connection set up once
func BenchmarkDirect(b *testing.B) {
	b.Run("conn", func(b *testing.B) {
		benchLoop(b, func(a *executor.Awaiter, r *Reactor, ln *TCPListener) error {
			out, in, back := make([]byte, echoSize), make([]byte, echoSize), make([]byte, echoSize)
			return timeBoth(b, "plain", "direct",
				func() error { return conn(a, r, ln, false, out, in, back) },
				func() error { return conn(a, r, ln, true, out, in, back) })
		})
	})
	b.Run("echo", func(b *testing.B) {
		benchEchoes(b, "plain", "direct", func(a *executor.Awaiter, r *Reactor, ln *TCPListener, second bool) (*TCPStream, *TCPStream, error) {
			return connectPair(a, r, ln, second)
		})
	})
}

// BenchmarkRecvPollFirst compares the echo loop's RECVs with and without
// IORING_RECVSEND_POLL_FIRST (both sides' RECVs go out on an empty
// socket: the case it is meant for), alternating two connections.
func BenchmarkRecvPollFirst(b *testing.B) {
	benchEchoes(b, "off", "on", func(a *executor.Awaiter, r *Reactor, ln *TCPListener, second bool) (*TCPStream, *TCPStream, error) {
		srv, cli, err := connectPair(a, r, ln, false)
		if err == nil && second && !(srv.SetRecvPollFirst(true) && cli.SetRecvPollFirst(true)) {
			err = fmt.Errorf("IORING_RECVSEND_POLL_FIRST unsupported here")
		}
		return srv, cli, err
	})
}

// benchEchoes sets up two connections with pair (second false, then
// true) and times 64 B echoes on them by turns.
func benchEchoes(b *testing.B, nameA, nameB string, pair func(a *executor.Awaiter, r *Reactor, ln *TCPListener, second bool) (*TCPStream, *TCPStream, error)) {
	benchLoop(b, func(a *executor.Awaiter, r *Reactor, ln *TCPListener) error {
		var srv, cli [2]*TCPStream
		for i := range 2 {
			var err error
			if srv[i], cli[i], err = pair(a, r, ln, i == 1); err != nil {
				return err
			}
			defer func() { executor.Await(a, executor.Join2(srv[i].Close(), cli[i].Close())) }()
		}
		out, in, back := make([]byte, echoSize), make([]byte, echoSize), make([]byte, echoSize)
		return timeBoth(b, nameA, nameB,
			func() error { return roundTrip(a, srv[0], cli[0], out, in, back) },
			func() error { return roundTrip(a, srv[1], cli[1], out, in, back) })
	})
}

// The ring-level benchmarks isolate what the kernel saves, without the
// executor: they drive the ring directly, and alternate the two ways
// batch by batch inside one benchmark, timing each, so that a load that
// comes and goes on a shared machine falls on both alike. They report
// ns per op for each way and their ratio.

// ringBatch submits n SQEs prepared by prep in one io_uring_enter and
// reaps their n CQEs, handing each result to got.
func ringBatch(b *testing.B, r *Reactor, n int, prep func(i int, s *SQE), got func(i int, res int32)) {
	for i := range n {
		s := r.ring.NextSQE()
		prep(i, s)
		s.UserData = uint64(i)
	}
	if _, err := r.ring.Submit(uint32(n)); err != nil {
		b.Fatal(err)
	}
	for done := 0; done < n; {
		done += r.ring.Reap(func(c CQE) {
			if c.Res < 0 {
				b.Fatalf("CQE %d: %v", c.UserData, unix.Errno(-c.Res))
			}
			got(int(c.UserData), c.Res)
		})
		if done < n {
			if _, err := r.ring.Submit(1); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// alternate runs a and b by turns, batch ops at a time, until b.N ops
// of each; it reports each one's ns per op and b's over a's.
func alternate(bm *testing.B, batch int, nameA, nameB string, a, b func()) {
	var ta, tb time.Duration
	bm.ResetTimer()
	for n := 0; n < bm.N; n += batch {
		t0 := time.Now()
		a()
		t1 := time.Now()
		b()
		tb += time.Since(t1)
		ta += t1.Sub(t0)
	}
	ops := float64((bm.N + batch - 1) / batch * batch)
	bm.ReportMetric(float64(ta.Nanoseconds())/ops, "ns/"+nameA)
	bm.ReportMetric(float64(tb.Nanoseconds())/ops, "ns/"+nameB)
	bm.ReportMetric(float64(tb)/float64(ta), nameB+"/"+nameA)
}

// BenchmarkRingOpenClose: batches of 16 OPENATs of /dev/null in one
// enter, then their 16 CLOSEs in another. plain installs each file in
// the process's descriptor table and CLOSE finds it there; direct
// installs it in a registered-file slot (file_index, 5.15) and CLOSE
// empties the slot. Per open+close pair.
func BenchmarkRingOpenClose(b *testing.B) {
	const batch = 16
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
	keep := func(i int, res int32) { fds[i] = res }
	none := func(int, int32) {}
	alternate(b, batch, "plain", "direct", func() {
		ringBatch(b, r, batch, func(i int, s *SQE) { s.PrepOpenat(unix.AT_FDCWD, path, unix.O_RDONLY, 0) }, keep)
		ringBatch(b, r, batch, func(i int, s *SQE) { s.PrepClose(int(fds[i])) }, none)
	}, func() {
		ringBatch(b, r, batch, func(i int, s *SQE) { s.PrepOpenatDirect(unix.AT_FDCWD, path, unix.O_RDONLY, 0, uint32(i)) }, none)
		ringBatch(b, r, batch, func(i int, s *SQE) { s.PrepCloseDirect(uint32(i)) }, none)
	})
	runtime.KeepAlive(path)
}

// BenchmarkRingReadFixedFile: batches of 32 READs of 64 B from /dev/zero
// in one enter, naming the file by descriptor (the kernel looks it up
// and, the process being multi-threaded, takes and drops a reference on
// it) or by registered-file slot (IOSQE_FIXED_FILE). Per READ.
func BenchmarkRingReadFixedFile(b *testing.B) {
	const batch = 32
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
	// Outside the Go heap: nothing to pin while the kernel writes it.
	pool, err := NewBufferPool(1, 64*batch)
	if err != nil {
		b.Fatal(err)
	}
	defer pool.Close()
	buf := pool.Buf(0)
	read := func(fixed bool) func() {
		return func() {
			ringBatch(b, r, batch, func(i int, s *SQE) {
				s.PrepRead(fd, unsafe.Pointer(&buf[i*64]), 64, 0)
				if fixed {
					s.Fd, s.Flags = 0, SQEFixedFile
				}
			}, func(_ int, res int32) {
				if res != 64 {
					b.Fatalf("READ: %d", res)
				}
			})
		}
	}
	alternate(b, batch, "fd", "slot", read(false), read(true))
}
