//go:build linux

package iouring

import (
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"

	executor "asyncworkbook/phase1-executor"
)

// These run on both rings. On the fallback (no provided-buffer ring)
// ReadLent and WriteAllLent take the plain path, and only the bytes are
// checked.

// inFastPool reports whether b is memory of the provided-buffer ring.
func inFastPool(r *Reactor, b []byte) bool {
	if len(b) == 0 || r.fast == nil || r.fast.pool == nil {
		return false
	}
	mem := r.fast.pool.mem
	p := uintptr(unsafe.Pointer(&b[0]))
	start := uintptr(unsafe.Pointer(&mem[0]))
	return p >= start && p < start+uintptr(len(mem))
}

func readLent(a *executor.Awaiter, s *TCPStream) (Lent, error) {
	res := executor.Await(a, executor.Future[executor.Result[Lent]](s.ReadLent()))
	return res.Value, res.Err
}

// A lent provided buffer stays out of the kernel's ring until Release:
// with both buffers lent the ring is empty, the next bytes come through a
// single-shot RECV, and the lent bytes are intact. Wrong implementations
// caught: recycling the buffer at the lend (the ring is not empty, and
// the kernel may write the next bytes over a lent one); a Release that
// recycles nothing, or recycles twice.
func TestALentProvidedBufferStaysOutOfTheRingUntilRelease(t *testing.T) {
	ex, r, rec := newRuntime(t)
	on := enableMultishot(t, r, 2, 64)
	s, peer := acceptPeer(t, ex, r)
	got, err := executor.BlockOn(ex, executor.Async(func(a *executor.Awaiter) string {
		var ls []Lent
		for _, msg := range []string{"aaaa", "bbbb"} {
			if _, err := peer.Write([]byte(msg)); err != nil {
				return err.Error()
			}
			l, err := readLent(a, s)
			if err != nil || string(l.Bytes()) != msg || inFastPool(r, l.Bytes()) != on {
				return fmt.Sprintf("lend = %q (provided buffer %v), %v; want %q", l.Bytes(), inFastPool(r, l.Bytes()), err, msg)
			}
			ls = append(ls, l)
		}
		if st := r.MultishotStatus(); on && st.Available != 0 {
			return "with both buffers lent: " + st.String()
		}
		if _, err := peer.Write([]byte("cccc")); err != nil {
			return err.Error()
		}
		l3, err := readLent(a, s)
		if err != nil || string(l3.Bytes()) != "cccc" || inFastPool(r, l3.Bytes()) {
			return fmt.Sprintf("third lend = %q (provided %v), %v; want \"cccc\" from the heap", l3.Bytes(), inFastPool(r, l3.Bytes()), err)
		}
		if string(ls[0].Bytes()) != "aaaa" || string(ls[1].Bytes()) != "bbbb" {
			return fmt.Sprintf("lent buffers now say %q %q", ls[0].Bytes(), ls[1].Bytes())
		}
		ls[0].Release()
		ls[0].Release()
		cp := ls[0]
		cp.Release()
		if on && ls[0].Bytes() != nil {
			return "a released Lent still shows its buffer" // (a heap Lent's Release does nothing)
		}
		if st := r.MultishotStatus(); on && st.Available != 1 {
			return "after releasing one lend three times: " + st.String()
		}
		ls[1].Release()
		l3.Release()
		if st := r.MultishotStatus(); on && st.Available != 2 {
			return "after every Release: " + st.String()
		}
		return ""
	}))
	if err != nil || got != "" {
		t.Fatalf("%s %v%s", got, err, dumpTrace(rec))
	}
}

// WriteAllLent sends the lent bytes and gives the buffer back at the
// SEND's CQE: an echo with no copy. A WriteAllLent that forgets the
// Release leaves the ring a buffer short.
func TestWriteAllLentEchoesAndGivesTheBufferBack(t *testing.T) {
	ex, r, rec := newRuntime(t)
	on := enableMultishot(t, r, 2, 64)
	s, peer := acceptPeer(t, ex, r)
	got, err := executor.BlockOn(ex, executor.Async(func(a *executor.Awaiter) string {
		for i := range 5 {
			msg := fmt.Sprintf("hello %d", i)
			if _, err := peer.Write([]byte(msg)); err != nil {
				return err.Error()
			}
			l, err := readLent(a, s)
			if err != nil || string(l.Bytes()) != msg {
				return fmt.Sprintf("lend %q, %v", l.Bytes(), err)
			}
			w := executor.Await(a, executor.Future[executor.Result[int]](s.WriteAllLent(l)))
			if w.Err != nil || w.Value != len(msg) {
				return fmt.Sprintf("WriteAllLent = %d, %v", w.Value, w.Err)
			}
			if l.Bytes() != nil && (l.fs != nil || l.fx != nil) {
				return "the Lent was not released by WriteAllLent"
			}
			if st := r.MultishotStatus(); on && st.Available != 2 {
				return "after the echo: " + st.String()
			}
		}
		return ""
	}))
	if err != nil || got != "" {
		t.Fatalf("%s %v%s", got, err, dumpTrace(rec))
	}
	back := make([]byte, len("hello 0hello 1hello 2hello 3hello 4"))
	if _, err := io.ReadFull(peer, back); err != nil || string(back) != "hello 0hello 1hello 2hello 3hello 4" {
		t.Fatalf("peer read %q, %v", back, err)
	}
}

// fillSendBuffer writes to fd, without blocking, until the socket's send
// buffer (and the peer's receive buffer, since the peer does not read) is
// full: a SEND on it then waits.
func fillSendBuffer(t *testing.T, fd int) {
	t.Helper()
	if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_SNDBUF, 4096); err != nil {
		t.Fatal(err)
	}
	chunk := make([]byte, 64<<10)
	for {
		_, err := unix.SendmsgN(fd, chunk, nil, nil, unix.MSG_DONTWAIT)
		if errors.Is(err, unix.EAGAIN) {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

// A WriteAllLent dropped while its SEND waits (the socket is full)
// releases the Lent at the SEND's CQE: not at the drop, while the kernel
// may still read the buffer, and not never.
func TestADroppedWriteAllLentReleasesAtTheCQE(t *testing.T) {
	ex, r, rec := newRuntime(t)
	on := enableMultishot(t, r, 2, 64)
	s, peer := acceptPeer(t, ex, r)
	got, err := executor.BlockOn(ex, executor.Async(func(a *executor.Awaiter) string {
		if _, err := peer.Write([]byte("ping")); err != nil {
			return err.Error()
		}
		l, err := readLent(a, s)
		if err != nil || string(l.Bytes()) != "ping" {
			return fmt.Sprintf("lend %q, %v", l.Bytes(), err)
		}
		fillSendBuffer(t, s.fd)
		before := r.InFlight() // the stream's multishot RECV stays in flight
		executor.Await(a, executor.Select(executor.Future[executor.Result[int]](s.WriteAllLent(l)), executor.Ready(executor.Result[int]{})))
		during := r.MultishotStatus().Available
		for r.InFlight() > before { // until the cancelled SEND's CQE
			executor.Await(a, Sleep(r, 1_000_000))
		}
		after := r.MultishotStatus().Available
		if on && (during != 1 || after != 2) {
			return fmt.Sprintf("ring buffers available: %d while the SEND waits, %d after its CQE; want 1, 2", during, after)
		}
		return ""
	}))
	if err != nil || got != "" {
		t.Fatalf("%s %v%s", got, err, dumpTrace(rec))
	}
}

// End of stream and a closed stream: ReadLent says 0 bytes at the end,
// ErrFileClosed on a stream closed before; nothing is lent.
func TestReadLentAtEndOfStream(t *testing.T) {
	ex, r, rec := newRuntime(t)
	enableMultishot(t, r, 2, 64)
	s, peer := acceptPeer(t, ex, r)
	s2, _ := acceptPeer(t, ex, r)
	peer.Close()
	got, err := executor.BlockOn(ex, executor.Async(func(a *executor.Awaiter) string {
		l, err := readLent(a, s)
		if err != nil || l.Len() != 0 || l.Bytes() != nil {
			return fmt.Sprintf("at EOF: %q, %v; want nothing, no error", l.Bytes(), err)
		}
		executor.Await(a, s2.Close())
		if _, err := readLent(a, s2); err != ErrFileClosed {
			return fmt.Sprintf("after Close: %v; want ErrFileClosed", err)
		}
		return ""
	}))
	if err != nil || got != "" {
		t.Fatalf("%s %v%s", got, err, dumpTrace(rec))
	}
}

// A LentRecv and a LentSend reused with Again echo as fresh ones do, and
// on io_uring, untraced, a reused echo loop allocates almost nothing.
// Again on a future still in flight panics.
func TestLentRecvAndSendAgainEchoWithoutAllocating(t *testing.T) {
	r, err := NewReactor(64)
	if err != nil {
		t.Skipf("no reactor: %v", err)
	}
	ex := executor.New(executor.WithDriver(r))
	t.Cleanup(func() {
		ex.Close()
		if err := r.Close(); err != nil {
			t.Errorf("reactor Close: %v", err)
		}
	})
	on := enableMultishot(t, r, 4, 64)
	s, peer := acceptPeer(t, ex, r)
	const rounds = 100
	peerDone := make(chan struct{})
	go func() { // the peer: send a byte, wait for it back
		defer close(peerDone)
		b := []byte{0}
		for i := range rounds {
			b[0] = byte(i)
			if _, err := peer.Write(b); err != nil {
				return
			}
			if _, err := io.ReadFull(peer, b); err != nil || b[0] != byte(i) {
				t.Errorf("round %d: got %v back, %v", i, b, err)
				return
			}
		}
	}()
	got, err := executor.BlockOn(ex, executor.Async(func(a *executor.Awaiter) string {
		rd := s.ReadLent()
		wr := s.WriteAllLent(Lent{})
		executor.Await(a, executor.Future[executor.Result[int]](wr)) // an empty send, to have it completed
		var ms0, ms1 runtime.MemStats
		runtime.ReadMemStats(&ms0)
		for i := range rounds {
			res := executor.Await(a, executor.Future[executor.Result[Lent]](rd.Again()))
			if res.Err != nil || res.Value.Len() != 1 || res.Value.Bytes()[0] != byte(i) {
				return fmt.Sprintf("round %d: lend %v, %v", i, res.Value.Bytes(), res.Err)
			}
			if w := executor.Await(a, executor.Future[executor.Result[int]](wr.Again(res.Value))); w.Err != nil || w.Value != 1 {
				return fmt.Sprintf("round %d: send %d, %v", i, w.Value, w.Err)
			}
		}
		runtime.ReadMemStats(&ms1)
		if allocs := ms1.Mallocs - ms0.Mallocs; on && allocs > rounds/10 {
			return fmt.Sprintf("%d allocations in %d reused round trips; want at most %d", allocs, rounds, rounds/10)
		}
		if st := r.MultishotStatus(); on && st.Available != st.Buffers {
			return "after the echo: " + st.String()
		}
		pending := s.ReadLent() // nothing comes: it stays pending
		executor.Await(a, executor.Select(executor.Future[executor.Result[Lent]](pending), executor.Ready(executor.Result[Lent]{})))
		inflight := &LentRecv{s: s, polled: true}
		if msg := panicOf(func() { inflight.Again() }); !strings.Contains(msg, "before the read completed") {
			return "LentRecv.Again in flight: panic " + msg
		}
		sending := &LentSend{s: s, started: true}
		if msg := panicOf(func() { sending.Again(Lent{}) }); !strings.Contains(msg, "before the send completed") {
			return "LentSend.Again in flight: panic " + msg
		}
		return ""
	}))
	<-peerDone // it has read the last echo back
	if err != nil || got != "" {
		t.Fatalf("%s %v", got, err)
	}
}
