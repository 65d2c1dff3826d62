//go:build linux

package iouring

import (
	"errors"
	"io"
	"net"
	"net/netip"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	executor "asyncworkbook/phase1-executor"
	"asyncworkbook/phases/trace"
)

func TestEchoOverTCP(t *testing.T) {
	ex, r, rec := newRuntime(t)
	ln, err := Listen(r, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	server := func(a *executor.Awaiter) error {
		c := executor.Await(a, ln.Accept())
		if c.Err != nil {
			return c.Err
		}
		buf := make([]byte, 64)
		for {
			n := executor.Await(a, c.Value.Read(buf))
			if n.Err != nil || n.Value == 0 {
				executor.Await(a, c.Value.Close())
				return n.Err
			}
			if w := executor.Await(a, c.Value.WriteAll(buf[:n.Value])); w.Err != nil {
				return w.Err
			}
		}
	}
	got, err := executor.BlockOn(ex, executor.Async(func(a *executor.Awaiter) string {
		srv := executor.SpawnLocal(a.Context(), executor.Async(server), executor.WithName("server"))
		c := executor.Await(a, Connect(r, ln.Addr()))
		if c.Err != nil {
			return "connect: " + c.Err.Error()
		}
		executor.Await(a, c.Value.WriteAll([]byte("ping")))
		buf := make([]byte, 4)
		n := executor.Await(a, c.Value.Read(buf))
		executor.Await(a, c.Value.Close())
		if res := executor.Await(a, executor.Future[executor.Result[error]](srv)); res.Err != nil || res.Value != nil {
			return "server: " + errors.Join(res.Err, res.Value).Error()
		}
		return string(buf[:n.Value])
	}))
	if err != nil || got != "ping" {
		t.Fatalf("echo = %q, %v; want ping%s", got, err, dumpTrace(rec))
	}
}

func TestConnectNobodyListensIsRefused(t *testing.T) {
	ex, r, _ := newRuntime(t)
	// Take a free port and close it again: nobody listens there now.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := netip.MustParseAddrPort(l.Addr().String())
	l.Close()
	res, err := executor.BlockOn(ex, Connect(r, addr))
	if err != nil {
		t.Fatal(err)
	}
	if !errors.Is(res.Err, unix.ECONNREFUSED) {
		t.Fatalf("connect to a closed port: %v; want ECONNREFUSED", res.Err)
	}
}

func TestPeerResetMidStream(t *testing.T) {
	ex, r, _ := newRuntime(t)
	ln, err := Listen(r, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	res, err := executor.BlockOn(ex, executor.Async(func(a *executor.Awaiter) error {
		// A Go client connects, sends, then resets (SO_LINGER 0 + close).
		go func() {
			c, err := net.Dial("tcp", ln.Addr().String())
			if err != nil {
				return
			}
			c.Write([]byte("partial"))
			c.(*net.TCPConn).SetLinger(0)
			c.Close()
		}()
		s := executor.Await(a, ln.Accept()).Value
		buf := make([]byte, 64)
		for {
			n := executor.Await(a, s.Read(buf))
			if n.Err != nil {
				executor.Await(a, s.Close())
				return n.Err
			}
			if n.Value == 0 {
				return io.EOF
			}
		}
	}))
	if err != nil {
		t.Fatal(err)
	}
	if !errors.Is(res, unix.ECONNRESET) {
		t.Fatalf("read from a reset peer: %v; want ECONNRESET", res)
	}
}

// TestAcceptCompletedAfterCancelIsClosedNotLeaked: the connection an
// abandoned ACCEPT won is kept for the next Accept, and closed with the
// listener when nobody takes it.
func TestAcceptCompletedAfterCancelIsClosedNotLeaked(t *testing.T) {
	ex, r, rec := newRuntime(t)
	ln, err := Listen(r, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var client net.Conn
	var orphanRes int32 = 1
	_, err = executor.BlockOn(ex, executor.Async(func(a *executor.Awaiter) int {
		acc := ln.Accept()
		if _, ok := acc.Poll(a.Context()).Value(); ok {
			t.Error("accept ready before any client")
		}
		executor.Await(a, executor.YieldNow()) // the turn's enter submits the ACCEPT
		// Connect now, inside this poll: the kernel completes the ACCEPT,
		// but its CQE waits in the CQ until the reactor reaps it.
		var err error
		client, err = net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Error(err)
			return 0
		}
		acc.(executor.Dropper).Drop() // abandon it: the connection is an orphan
		drain(a, r)
		for _, e := range rec.Events() {
			if e.Kind == trace.CQEReaped && e.Op == "ACCEPT" {
				orphanRes = e.Res
			}
		}
		if orphanRes < 0 {
			// The cancel won (the fallback ring can be that quick): the
			// connection was never accepted and still waits in the listen
			// queue — not leaked either. Accept and close it for real.
			c := executor.Await(a, ln.Accept())
			if c.Err != nil {
				t.Error(c.Err)
				return 0
			}
			executor.Await(a, c.Value.Close())
		}
		return 0
	}))
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	if orphanRes == 1 {
		t.Fatalf("no CQE for the abandoned ACCEPT:%s", dumpTrace(rec))
	}
	// An ACCEPT that completed after its cancel leaves a spare for the
	// next Accept (accept_spare.go); nobody comes, so the listener's Close
	// closes it.
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	// Either way the server side is closed now: the client reads EOF.
	client.SetReadDeadline(time.Now().Add(5 * time.Second))
	if n, err := client.Read(make([]byte, 1)); err != io.EOF {
		t.Fatalf("client read = %d, %v; want EOF (orphan res %d)%s", n, err, orphanRes, dumpTrace(rec))
	}
}

func TestKernelSleepAndTimeout(t *testing.T) {
	ex, r, rec := newRuntime(t)
	pipe, _ := newPipe(t, r)
	got, err := executor.BlockOn(ex, executor.Async(func(a *executor.Awaiter) error {
		if s := executor.Await(a, Sleep(r, time.Millisecond)); s.Err != nil {
			return s.Err
		}
		res := executor.Await(a, Timeout(r, pipe.ReadAt(make([]byte, 8), 0), 2*time.Millisecond))
		drain(a, r)
		return res.Err
	}))
	if err != nil || !errors.Is(got, ErrTimeout) {
		t.Fatalf("Timeout(read of an empty pipe) = %v, %v; want ErrTimeout%s", got, err, dumpTrace(rec))
	}
	var sleptInKernel bool
	for _, e := range rec.Events() {
		if e.Kind == trace.CQEReaped && e.Op == "TIMEOUT" && e.Res == -int32(unix.ETIME) {
			sleptInKernel = true
		}
	}
	if !sleptInKernel {
		t.Fatalf("no TIMEOUT CQE with -ETIME:%s", dumpTrace(rec))
	}
}

func TestReadWithinTimesOutOnASilentPeer(t *testing.T) {
	ex, r, rec := newRuntime(t)
	ln, err := Listen(r, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	got, err := executor.BlockOn(ex, executor.Async(func(a *executor.Awaiter) [2]error {
		silent := executor.SpawnLocal(a.Context(), executor.Async(func(a *executor.Awaiter) int {
			c := executor.Await(a, ln.Accept()).Value
			executor.Await(a, Sleep(r, 50*time.Millisecond)) // say nothing for a while
			executor.Await(a, c.WriteAll([]byte("late")))
			executor.Await(a, c.Close())
			return 0
		}))
		c := executor.Await(a, Connect(r, ln.Addr())).Value
		buf := make([]byte, 8)
		first := executor.Await(a, c.ReadWithin(buf, 2*time.Millisecond)).Err
		second := executor.Await(a, c.ReadWithin(buf, 5*time.Second)).Err
		executor.Await(a, c.Close())
		executor.Await(a, executor.Future[executor.Result[int]](silent))
		return [2]error{first, second}
	}))
	if err != nil || !errors.Is(got[0], ErrTimeout) || got[1] != nil {
		t.Fatalf("ReadWithin = %v, %v; want ErrTimeout, then the late data%s", got, err, dumpTrace(rec))
	}
	if r.Probe().Supports(OpLinkTimeout) {
		var linked bool
		for _, e := range rec.Events() {
			if e.Kind == trace.SQEPrepared && e.Op == "LINK_TIMEOUT" {
				linked = true
			}
		}
		if !linked {
			t.Fatalf("io_uring supports LINK_TIMEOUT but none was prepared:%s", dumpTrace(rec))
		}
	}
}
