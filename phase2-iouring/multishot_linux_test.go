//go:build linux

package iouring

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	executor "asyncworkbook/phase1-executor"
	"asyncworkbook/phases/trace"
)

// enableMultishot turns multishot receive on, or, on the fallback ring,
// checks that it says why not (streams then use single-shot RECV). It
// reports whether multishot is on.
func enableMultishot(t *testing.T, r *Reactor, bufs, size int) bool {
	t.Helper()
	err := r.EnableMultishot(bufs, size)
	if _, fb := r.ring.(*FallbackRing); fb {
		if err == nil || !strings.Contains(r.MultishotStatus().Why, "single-shot") {
			t.Fatalf("EnableMultishot on the fallback = %v, status %s; want the reason", err, r.MultishotStatus())
		}
		return false
	}
	if err != nil {
		t.Fatalf("EnableMultishot: %v", err)
	}
	return true
}

// multiCQEs counts RECV SQEs and the RECV CQEs that said F_MORE.
func multiCQEs(rec *trace.Recorder) (sqes, more int) {
	for _, e := range rec.Events() {
		switch {
		case e.Kind == trace.SQEPrepared && e.Op == "RECV":
			sqes++
		case e.Kind == trace.CQEReaped && e.Op == "RECV" && strings.Contains(e.Note, "F_MORE"):
			more++
		}
	}
	return
}

// One RECV SQE serves many reads: the peer writes, the reader reads it
// back, ten times; the trace holds one RECV SQE and ten CQEs with F_MORE,
// and every buffer is back in the ring once read. On the fallback the
// same exchange runs on single-shot RECVs.
func TestMultishotRecvServesManyReadsWithOneSQE(t *testing.T) {
	ex, r, rec := newRuntime(t)
	on := enableMultishot(t, r, 8, 256)
	s, peer := acceptPeer(t, ex, r)
	got, err := executor.BlockOn(ex, executor.Async(func(a *executor.Awaiter) string {
		var out []string
		buf := make([]byte, 64)
		for i := range 10 {
			msg := strings.Repeat(string(rune('a'+i)), 10)
			if _, err := peer.Write([]byte(msg)); err != nil {
				return err.Error()
			}
			var b []byte
			for len(b) < len(msg) {
				rd := executor.Await(a, s.Read(buf))
				if rd.Err != nil || rd.Value == 0 {
					return "read: " + errText(rd.Err)
				}
				b = append(b, buf[:rd.Value]...)
			}
			out = append(out, string(b))
		}
		return strings.Join(out, "")
	}))
	want := ""
	for i := range 10 {
		want += strings.Repeat(string(rune('a'+i)), 10)
	}
	if err != nil || got != want {
		t.Fatalf("got %q, %v; want %q%s", got, err, want, dumpTrace(rec))
	}
	sqes, more := multiCQEs(rec)
	if !on {
		if sqes < 10 || more != 0 {
			t.Fatalf("fallback: %d RECV SQEs, %d multishot CQEs; want single-shot RECVs", sqes, more)
		}
		return
	}
	var occupancy bool
	for _, e := range rec.Events() {
		if e.Kind == trace.CQEReaped && strings.Contains(e.Note, "buffers free") {
			occupancy = true
		}
	}
	if !occupancy {
		t.Fatalf("no multishot CQE traced with the ring's occupancy%s", dumpTrace(rec))
	}
	if sqes != 1 || more < 10 {
		t.Fatalf("%d RECV SQEs and %d CQEs with F_MORE; want 1 SQE serving at least 10%s", sqes, more, dumpTrace(rec))
	}
	if st := r.MultishotStatus(); st.Available != st.Buffers {
		t.Fatalf("buffers not recycled after every byte was read: %s", st)
	}
}

// A slow reader: the peer sends far more than the ring's buffers hold
// before the reader reads a byte. The kernel ends the multishot RECV with
// -ENOBUFS; Reads must re-arm it (or read single-shot) and return every
// byte, in order.
func TestMultishotRecvSurvivesENOBUFSWithoutLosingABbyte(t *testing.T) {
	ex, r, rec := newRuntime(t)
	on := enableMultishot(t, r, 4, 64)
	s, peer := acceptPeer(t, ex, r)
	want := make([]byte, 64<<10)
	for i := range want {
		want[i] = byte(i * 7)
	}
	go func() {
		peer.Write(want)
		peer.Close()
	}()
	var got []byte
	_, err := executor.BlockOn(ex, executor.Async(func(a *executor.Awaiter) int {
		buf := make([]byte, 100)
		// Arm the RECV, then let data pile up past the ring's 4 buffers.
		rd := executor.Await(a, s.Read(buf[:1]))
		got = append(got, buf[:rd.Value]...)
		for r.MultishotStatus().Available > 0 && r.MultishotStatus().ENOBUFS == 0 && on {
			executor.Await(a, Sleep(r, 100_000))
		}
		for {
			rd := executor.Await(a, s.Read(buf))
			if rd.Err != nil {
				t.Errorf("read: %v", rd.Err)
				return 0
			}
			if rd.Value == 0 {
				return 0
			}
			got = append(got, buf[:rd.Value]...)
		}
	}))
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("got %d bytes (equal: %v), sent %d; %v; %s", len(got), bytes.Equal(got, want), len(want), err, r.MultishotStatus())
	}
	if on {
		st := r.MultishotStatus()
		if st.ENOBUFS == 0 || st.Arms < 2 || st.Available != st.Buffers {
			t.Fatalf("want the RECV ended by ENOBUFS, re-armed, and every buffer back: %s%s", st, dumpTrace(rec))
		}
	}
}

// The racing reads of TestNoByteLostToCancelledReads, on a multishot
// stream with a ring small enough to run dry: dropped and timed-out Reads
// cancel nothing, ENOBUFS re-arms and single-shot fallbacks interleave,
// and still no byte is lost or reordered.
func TestNoByteLostToCancelledReadsWithMultishot(t *testing.T) {
	ex, r, _ := newRuntime(t)
	enableMultishot(t, r, 4, 32)
	s, peer := acceptPeer(t, ex, r)
	noByteLost(t, ex, r, s, peer)
	t.Log(r.MultishotStatus())
}

// Closing a stream with its multishot RECV armed cancels it: the last
// CQE frees the slot, nothing stays in flight, every buffer (the unread
// ones too) is back in the ring.
func TestClosingAMultishotStreamGivesEverythingBack(t *testing.T) {
	ex, r, rec := newRuntime(t)
	on := enableMultishot(t, r, 4, 64)
	s, peer := acceptPeer(t, ex, r)
	_, err := executor.BlockOn(ex, executor.Async(func(a *executor.Awaiter) int {
		peer.Write([]byte("0123456789"))
		buf := make([]byte, 2)
		executor.Await(a, s.Read(buf)) // arms; 8 bytes stay in a held buffer
		peer.Write([]byte("more"))
		executor.Await(a, s.Close())
		// Wait for the RECV's last CQE (the listener's ACCEPT stays).
		for s.ms != nil && s.ms.armed {
			executor.Await(a, Sleep(r, 100_000))
		}
		return 0
	}))
	if err != nil {
		t.Fatal(err)
	}
	listener := 0
	if on {
		listener = 1 // the listener's multishot ACCEPT
	}
	if r.InFlight() != listener {
		t.Fatalf("%d ops in flight after close, want %d%s", r.InFlight(), listener, dumpTrace(rec))
	}
	if st := r.MultishotStatus(); on && st.Available != st.Buffers {
		t.Fatalf("buffers held after close: %s", st)
	}
	var cancelled bool
	for _, e := range rec.Events() {
		if e.Kind == trace.CQEReaped && e.Op == "RECV" && e.Res == -int32(unix.ECANCELED) {
			cancelled = true
		}
	}
	if on && !cancelled {
		t.Fatalf("no RECV CQE with -ECANCELED: the multishot RECV was not cancelled%s", dumpTrace(rec))
	}
}

// When a slower stream holds every buffer, another stream's Read finds
// the ring empty: it must read through a single-shot RECV of its own, not
// wait for buffers someone else may never give back.
func TestReadFallsBackToSingleShotWhenAnotherStreamHoldsEveryBuffer(t *testing.T) {
	ex, r, rec := newRuntime(t)
	on := enableMultishot(t, r, 2, 64)
	slow, slowPeer := acceptPeer(t, ex, r)
	fast, fastPeer := acceptPeer(t, ex, r)
	got, err := executor.BlockOn(ex, executor.Async(func(a *executor.Awaiter) string {
		buf := make([]byte, 1)
		slowPeer.Write(bytes.Repeat([]byte("s"), 1000))
		executor.Await(a, slow.Read(buf)) // arms; the rest fills both buffers
		for on && r.MultishotStatus().Available > 0 {
			executor.Await(a, Sleep(r, 100_000))
		}
		fastPeer.Write([]byte("hello"))
		b := make([]byte, 16)
		// Bounded, so a Read that waits for the slow stream's buffers
		// fails instead of hanging.
		rr := executor.Await(a, Timeout(r, fast.Read(b), 5*time.Second))
		if rr.Err != nil {
			return "read waited for buffers the slow stream holds: " + rr.Err.Error()
		}
		return string(b[:rr.Value.Value]) + errText(rr.Value.Err)
	}))
	if err != nil || got != "hello" {
		t.Fatalf("fast stream read %q, %v; %s%s", got, err, r.MultishotStatus(), dumpTrace(rec))
	}
	if st := r.MultishotStatus(); on && st.SingleShot != 1 {
		t.Fatalf("want one single-shot fallback: %s", st)
	}
}

// One multishot ACCEPT serves every connection; a dropped Accept loses
// none (the next Accept gets it); Close closes the connections nobody
// took, which their peers see as end of stream.
func TestMultishotAcceptQueuesConnectionsForTheNextAccept(t *testing.T) {
	ex, r, rec := newRuntime(t)
	on := enableMultishot(t, r, 4, 64)
	ln, err := Listen(r, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dial := func() net.Conn {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	var unclaimed net.Conn
	got, err := executor.BlockOn(ex, executor.Async(func(a *executor.Awaiter) string {
		// Dropped before any connection: must cancel nothing.
		executor.Await(a, executor.Select(ln.Accept(), executor.Ready(executor.Result[*TCPStream]{})))
		for i := range 3 {
			c := dial()
			acc := executor.Await(a, ln.Accept())
			if acc.Err != nil {
				return acc.Err.Error()
			}
			c.Write([]byte{byte('0' + i)})
			b := make([]byte, 1)
			rd := executor.Await(a, acc.Value.Read(b))
			if rd.Err != nil || rd.Value != 1 || b[0] != byte('0'+i) || acc.Value.RemoteAddr() != netip.MustParseAddrPort(c.LocalAddr().String()) {
				return fmt.Sprintf("connection %d: read %q %v, remote %v", i, b, rd.Err, acc.Value.RemoteAddr())
			}
			executor.Await(a, acc.Value.Close())
		}
		unclaimed = dial()
		if on {
			for len(ln.ma.queue) == 0 {
				executor.Await(a, Sleep(r, 100_000))
			}
		}
		return ""
	}))
	if err != nil || got != "" {
		t.Fatalf("%s %v%s", got, err, dumpTrace(rec))
	}
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	if on {
		var sqes, more int
		for _, e := range rec.Events() {
			switch {
			case e.Kind == trace.SQEPrepared && e.Op == "ACCEPT":
				sqes++
			case e.Kind == trace.CQEReaped && e.Op == "ACCEPT" && strings.Contains(e.Note, "F_MORE"):
				more++
			}
		}
		if sqes != 1 || more != 4 {
			t.Fatalf("%d ACCEPT SQEs, %d CQEs with F_MORE; want 1 and 4%s", sqes, more, dumpTrace(rec))
		}
		// The unclaimed connection was closed by ln.Close: its peer reads EOF.
		unclaimed.SetReadDeadline(time.Now().Add(5 * time.Second))
		if n, err := unclaimed.Read(make([]byte, 1)); n != 0 || err != io.EOF {
			t.Fatalf("unclaimed connection: read %d, %v; want EOF", n, err)
		}
	}
}
