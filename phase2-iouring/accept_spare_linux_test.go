//go:build linux

package iouring

import (
	"fmt"
	"io"
	"net"
	"testing"
	"time"

	executor "asyncworkbook/phase1-executor"
	"asyncworkbook/phases/trace"

	"golang.org/x/sys/unix"
)

// TestADroppedAcceptThatWonAConnectionGivesItToTheNextAccept: an Accept is
// polled once (its ACCEPT prepared), a client connects, the Accept is
// dropped and another one awaited. The first ACCEPT goes to the kernel
// with its cancel right behind it and the connection already queued, so
// on io_uring it completes inline, before the cancel: the connection is
// the orphan's. It used to be closed there, and the second Accept waited
// for a client who had come and been hung up on.
func TestADroppedAcceptThatWonAConnectionGivesItToTheNextAccept(t *testing.T) {
	ex, r, rec := newRuntime(t)
	ln, err := Listen(r, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var c net.Conn
	defer func() {
		if c != nil {
			c.Close()
		}
	}()
	msg, err := executor.BlockOn(ex, executor.Async(func(a *executor.Awaiter) string {
		first := ln.Accept()
		if first.Poll(a.Context()).IsReady() {
			return "the first Accept completed before any client came"
		}
		if c, err = net.Dial("tcp", ln.Addr().String()); err != nil {
			return err.Error()
		}
		first.(executor.Dropper).Drop()
		acc := executor.Await(a, Timeout(r, ln.Accept(), 5*time.Second))
		if acc.Err != nil || acc.Value.Err != nil {
			return "the client was not accepted (lost to the dropped Accept?): " + errString(acc.Err) + " " + errString(acc.Value.Err)
		}
		s := acc.Value.Value
		defer s.Release()
		if s.RemoteAddr().String() != c.LocalAddr().String() {
			return "accepted " + s.RemoteAddr().String() + ", want the client " + c.LocalAddr().String()
		}
		executor.Await(a, s.WriteAll([]byte("hi")))
		return ""
	}))
	if err != nil || msg != "" {
		t.Fatalf("%s %v%s", msg, err, dumpTrace(rec))
	}
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 2)
	if n, err := c.Read(buf); err != nil || string(buf[:n]) != "hi" {
		t.Fatalf("client read %q, %v; want \"hi\"", buf[:n], err)
	}
}

// TestSparesNobodyTookAreClosedWithTheListener: the connection a dropped
// Accept won is closed by the listener's Close (its peer reads EOF), not
// leaked.
func TestSparesNobodyTookAreClosedWithTheListener(t *testing.T) {
	ex, r, _ := newRuntime(t)
	ln, err := Listen(r, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_, err = executor.BlockOn(ex, executor.Async(func(a *executor.Awaiter) struct{} {
		first := ln.Accept()
		first.Poll(a.Context())
		first.(executor.Dropper).Drop()
		if !drainWithin(a, r, 5*time.Second) { // the ACCEPT and its cancel
			t.Errorf("the dropped ACCEPT still in flight after 5 s")
		}
		return struct{}{}
	}))
	if err != nil {
		t.Fatal(err)
	}
	won := len(ln.spare.conns)
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	if won == 0 {
		t.Skip("the cancel beat the ACCEPT here: no spare to close")
	}
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if n, err := c.Read(make([]byte, 1)); n != 0 || err != io.EOF {
		t.Fatalf("the client read %d bytes, %v; want EOF from the closed spare", n, err)
	}
}

// TestASpareWakesAnAcceptAlreadyWaiting: two tasks wait in Accept, both
// ACCEPTs in the kernel. The first task is cancelled; before its cancel
// reaches the kernel a client comes, and the kernel hands the connection
// to the first ACCEPT, the one waiting longest. That connection becomes a
// spare, and the second task — another task, which nothing else wakes —
// must be woken to take it.
func TestASpareWakesAnAcceptAlreadyWaiting(t *testing.T) {
	ex, r, rec := newRuntime(t)
	ln, err := Listen(r, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var c net.Conn
	defer func() {
		if c != nil {
			c.Close()
		}
	}()
	msg, err := executor.BlockOn(ex, executor.Async(func(a *executor.Awaiter) string {
		first := executor.SpawnLocal(a.Context(), ln.Accept())
		executor.Await(a, executor.YieldNow())
		second := executor.SpawnLocal(a.Context(), Timeout(r, ln.Accept(), 5*time.Second))
		executor.Await(a, executor.YieldNow())
		executor.Await(a, executor.YieldNow()) // both ACCEPTs submitted
		first.Cancel()
		if c, err = net.Dial("tcp", ln.Addr().String()); err != nil {
			return err.Error()
		}
		res := executor.Await(a, second)
		if res.Err != nil || res.Value.Err != nil || res.Value.Value.Err != nil {
			return fmt.Sprintf("the waiting Accept did not get the client: %v %v", res.Err, res.Value.Err)
		}
		res.Value.Value.Value.Release()
		return ""
	}))
	if err != nil || msg != "" {
		t.Fatalf("%s %v%s", msg, err, dumpTrace(rec))
	}
	// Its timer going off would poll it too, and it would then find the
	// spare: the Accept must have been woken for it before that.
	for _, e := range rec.Events() {
		if e.Kind == trace.CQEReaped && e.Op == "TIMEOUT" && e.Res == -int32(unix.ETIME) {
			t.Fatalf("the waiting Accept took the spare only when its 5 s timer woke it:%s", dumpTrace(rec))
		}
	}
}
