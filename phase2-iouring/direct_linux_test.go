//go:build linux

package iouring

import (
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	executor "asyncworkbook/phase1-executor"
	"asyncworkbook/phases/trace"
)

// These run on both rings: `go test` uses io_uring, WORKBOOK_RING=fallback
// the fallback's emulation (fallback_fixed.go).

// slotHolds reports whether the ring's registered-file slot holds a file:
// an FSYNC naming the slot is -EBADF on an empty slot, anything else
// (success on a file, -EINVAL on a socket) on a full one. It asks the
// ring, not the reactor's bookkeeping, so a slot the reactor thinks free
// but the kernel still fills is caught.
func slotHolds(a *executor.Awaiter, r *Reactor, slot uint32) bool {
	f := &File{r: r, fd: int(slot), direct: true}
	res := executor.Await(a, f.Sync())
	return !errors.Is(res.Err, unix.EBADF)
}

// rawSocketTo connects a plain blocking socket to addr, with a receive
// timeout, from the test goroutine: loopback completes the handshake
// without an accept, so the connection waits in the listener's queue.
func rawSocketTo(t *testing.T, ln *TCPListener) int {
	t.Helper()
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(fd) })
	tv := unix.Timeval{Sec: 5}
	if err := unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv); err != nil {
		t.Fatal(err)
	}
	if err := unix.Connect(fd, sockaddr(ln.Addr())); err != nil {
		t.Fatal(err)
	}
	return fd
}

// OpenDirect's file has no descriptor: opening it leaves /proc/self/fd
// unchanged on io_uring, its reads name the slot (IOSQE_FIXED_FILE), and
// Close empties the slot in the ring, not just in the reactor's books.
// An implementation that forgets IOSQE_FIXED_FILE reads descriptor 0 (the
// slot's number); one whose Close frees the slot without CLOSE leaves the
// slot full.
func TestOpenDirectReadsThroughItsSlotAndCloseEmptiesIt(t *testing.T) {
	ex, r, rec := newRuntime(t)
	enableFixed(t, r, 0, 4)
	path := writeTemp(t, "a", "direct bytes")
	before := openFDs(t)
	got, err := executor.BlockOn(ex, executor.Async(func(a *executor.Awaiter) string {
		fr := executor.Await(a, OpenDirect(r, path, unix.O_RDONLY, 0))
		if fr.Err != nil {
			return fr.Err.Error()
		}
		f := fr.Value
		slot, ok := f.Slot()
		if !ok || f.Fd() != -1 {
			return "not a direct descriptor: " + r.DirectStatus().String()
		}
		if r.RingKind() == "io_uring" && openFDs(t) != before {
			return "a descriptor was opened"
		}
		buf := make([]byte, 64)
		n := executor.Await(a, f.ReadAt(buf, 0))
		if n.Err != nil {
			return "read: " + n.Err.Error()
		}
		fixed := executor.Await(a, f.ReadAtFixed(buf[:6], 0)) // no registered buffers: READ on the slot
		if fixed.Err != nil || string(buf[:6]) != "direct" {
			return "fixed read: " + string(buf[:6]) + errText(fixed.Err)
		}
		if st := executor.Await(a, f.Stat()); !errors.Is(st.Err, ErrDirectNoFd) {
			return "Stat of a direct descriptor did not say why it cannot"
		}
		if s := r.DirectStatus(); s.InUse != 1 || s.Opened != 1 {
			return "status while open: " + s.String()
		}
		if !slotHolds(a, r, slot) {
			return "the slot is empty while the file is open"
		}
		if c := executor.Await(a, f.Close()); c.Err != nil {
			return "close: " + c.Err.Error()
		}
		if slotHolds(a, r, slot) {
			return "the slot still holds the file after Close"
		}
		return string(buf[:n.Value])
	}))
	if err != nil || got != "direct bytes" {
		t.Fatalf("got %q, %v%s", got, err, dumpTrace(rec))
	}
	if s := r.DirectStatus(); s.InUse != 0 {
		t.Fatalf("after Close: %s", s)
	}
	if s := r.FixedStatus(); s.SlotsInUse != 0 {
		t.Fatalf("after Close: %s", s)
	}
	var fixedRead, closeDirect bool
	for _, e := range rec.Events() {
		if e.Kind != trace.SQEPrepared {
			continue
		}
		if e.Op == "READ" {
			fixedRead = true
		}
		if e.Op == "CLOSE" {
			closeDirect = true
		}
	}
	if !fixedRead || !closeDirect {
		t.Fatalf("no READ or CLOSE SQE traced:%s", dumpTrace(rec))
	}
}

// A stream accepted into a slot echoes and closes like any other: the
// peer reads what the server wrote, then end of stream when the server
// closes (the CLOSE of the slot closed the socket). A Close that only
// freed the slot in the reactor's books leaves the peer waiting.
func TestAcceptDirectStreamEchoesAndItsCloseReachesThePeer(t *testing.T) {
	ex, r, rec := newRuntime(t)
	enableFixed(t, r, 0, 4)
	ln, err := Listen(r, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	peer := rawSocketTo(t, ln)
	if _, err := unix.Write(peer, []byte("ping")); err != nil {
		t.Fatal(err)
	}
	got, err := executor.BlockOn(ex, executor.Async(func(a *executor.Awaiter) string {
		acc := executor.Await(a, ln.AcceptDirect())
		if acc.Err != nil {
			return acc.Err.Error()
		}
		s := acc.Value
		if _, ok := s.Slot(); !ok {
			return "not direct: " + r.DirectStatus().String()
		}
		if !s.RemoteAddr().IsValid() {
			return "no peer address"
		}
		buf := make([]byte, 16)
		n := executor.Await(a, s.Read(buf))
		if n.Err != nil {
			return "read: " + n.Err.Error()
		}
		w := executor.Await(a, s.WriteAll(append([]byte("echo "), buf[:n.Value]...)))
		if w.Err != nil {
			return "write: " + w.Err.Error()
		}
		if c := executor.Await(a, s.Close()); c.Err != nil {
			return "close: " + c.Err.Error()
		}
		return string(buf[:n.Value])
	}))
	if err != nil || got != "ping" {
		t.Fatalf("server read %q, %v%s", got, err, dumpTrace(rec))
	}
	buf := make([]byte, 64)
	var all []byte
	for {
		n, err := unix.Read(peer, buf)
		if err != nil {
			t.Fatalf("peer read after %q: %v (the server's Close did not close the connection)", all, err)
		}
		if n == 0 {
			break
		}
		all = append(all, buf[:n]...)
	}
	if string(all) != "echo ping" {
		t.Fatalf("peer read %q", all)
	}
	if s := r.DirectStatus(); s.InUse != 0 {
		t.Fatalf("after Close: %s", s)
	}
}

// An ACCEPT into a slot that completes after its future was dropped: the
// kernel installed the connection, nobody will take it, so the reactor
// must empty the slot — the peer then sees end of stream — and free it.
// The interleaving is made, not hoped for: the ACCEPT is submitted, the
// connection arrives, the ring is entered until the CQE is ready (but not
// reaped), and only then is the future dropped, so the cancel comes too
// late. An orphan handler that only frees the slot in the books leaves
// the connection open: the peer's read times out.
func TestDroppedAcceptDirectThatCompletedClosesTheConnection(t *testing.T) {
	ex, r, rec := newRuntime(t)
	enableFixed(t, r, 0, 2)
	ln, err := Listen(r, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var peer int
	msg, err := executor.BlockOn(ex, executor.Async(func(a *executor.Awaiter) string {
		f := ln.AcceptDirect()
		if f.Poll(a.Context()).IsReady() {
			return "ready before any connection"
		}
		executor.Await(a, executor.YieldNow()) // the turn's enter submits the ACCEPT
		peer = rawSocketTo(t, ln)
		for r.ring.CQReady() == 0 {
			if _, err := r.ring.Submit(1); err != nil { // wait for the CQE; do not reap it
				return err.Error()
			}
		}
		f.(executor.Dropper).Drop() // too late: the CQE says the connection is in the slot
		if !drainWithin(a, r, 5*time.Second) {
			return "ops still in flight after the drop"
		}
		for slot := range uint32(2) {
			if slotHolds(a, r, slot) {
				return "a slot still holds the connection nobody took"
			}
		}
		return ""
	}))
	if err != nil || msg != "" {
		t.Fatalf("%s %v%s", msg, err, dumpTrace(rec))
	}
	if n, err := unix.Read(peer, make([]byte, 1)); n != 0 || err != nil {
		t.Fatalf("peer read = %d, %v; want end of stream: the orphaned connection was not closed", n, err)
	}
	if s := r.DirectStatus(); s.InUse != 0 || s.Opened != 0 {
		t.Fatalf("after the orphan: %s", s)
	}
	if s := r.FixedStatus(); s.SlotsInUse != 0 {
		t.Fatalf("after the orphan: %s", s)
	}
}

// No slot leaks: a hundred OpenDirect and AcceptDirect futures dropped
// unpolled take no slot, and a hundred AcceptDirects polled (in flight)
// then dropped give theirs back once the cancel's CQE comes. With 4
// slots, a single leak shows: the next OpenDirect falls back to a
// descriptor. Taking the slot when the future is built, or forgetting it
// on -ECANCELED, fails here.
func TestDroppedDirectFuturesLeakNoSlot(t *testing.T) {
	ex, r, rec := newRuntime(t)
	enableFixed(t, r, 0, 4)
	ln, err := Listen(r, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	path := writeTemp(t, "f", "x")
	before := openFDs(t)
	for range 100 {
		for _, f := range []any{OpenDirect(r, path, unix.O_RDONLY, 0), ln.AcceptDirect()} {
			f.(executor.Dropper).Drop()
		}
	}
	msg, err := executor.BlockOn(ex, executor.Async(func(a *executor.Awaiter) string {
		for range 100 {
			f := ln.AcceptDirect()
			if f.Poll(a.Context()).IsReady() {
				return "ready with no connection"
			}
			executor.Await(a, executor.YieldNow())
			if r.DirectStatus().InUse != 1 {
				return "the polled AcceptDirect took no slot: " + r.DirectStatus().String()
			}
			f.(executor.Dropper).Drop()
			// The fallback's cancel completes on a worker: wait for it, so
			// every round takes a slot.
			if !drainWithin(a, r, 5*time.Second) {
				return "ops still in flight after the drop"
			}
		}
		if s := r.DirectStatus(); s.InUse != 0 {
			return "after the drops: " + s.String()
		}
		var files []*File
		for range 4 {
			fr := executor.Await(a, OpenDirect(r, path, unix.O_RDONLY, 0))
			if fr.Err != nil {
				return fr.Err.Error()
			}
			if _, ok := fr.Value.Slot(); !ok {
				return "a slot leaked: " + r.DirectStatus().String()
			}
			files = append(files, fr.Value)
		}
		// The table is full now: the fifth falls back, saying why.
		fr := executor.Await(a, OpenDirect(r, path, unix.O_RDONLY, 0))
		if fr.Err != nil {
			return fr.Err.Error()
		}
		if _, ok := fr.Value.Slot(); ok || fr.Value.Fd() < 0 {
			return "a fifth direct descriptor in a 4-slot table"
		}
		if s := r.DirectStatus(); s.Fallback != 1 || !strings.Contains(s.Why, "slots taken") {
			return "fallback not reported: " + s.String()
		}
		executor.Await(a, fr.Value.Close())
		for _, f := range files {
			executor.Await(a, f.Close())
		}
		return ""
	}))
	if err != nil || msg != "" {
		t.Fatalf("%s %v%s", msg, err, dumpTrace(rec))
	}
	if after := openFDs(t); after != before {
		t.Fatalf("%d descriptors open, %d before", after, before)
	}
}

// A direct Close dropped before its first poll still empties the slot,
// as File.Close closes its descriptor when dropped.
func TestDroppedDirectCloseStillEmptiesTheSlot(t *testing.T) {
	ex, r, rec := newRuntime(t)
	enableFixed(t, r, 0, 2)
	path := writeTemp(t, "f", "x")
	msg, err := executor.BlockOn(ex, executor.Async(func(a *executor.Awaiter) string {
		fr := executor.Await(a, OpenDirect(r, path, unix.O_RDONLY, 0))
		if fr.Err != nil {
			return fr.Err.Error()
		}
		slot, _ := fr.Value.Slot()
		fr.Value.Close().(executor.Dropper).Drop()
		if slotHolds(a, r, slot) {
			return "the slot still holds the file"
		}
		if s := r.DirectStatus(); s.InUse != 0 {
			return s.String()
		}
		return ""
	}))
	if err != nil || msg != "" {
		t.Fatalf("%s %v%s", msg, err, dumpTrace(rec))
	}
}

// Without a slot table, OpenDirect and AcceptDirect are Open and Accept,
// and DirectStatus says why.
func TestDirectWithoutSlotsFallsBackToDescriptors(t *testing.T) {
	ex, r, _ := newRuntime(t)
	path := writeTemp(t, "f", "x")
	res, err := executor.BlockOn(ex, OpenDirect(r, path, unix.O_RDONLY, 0))
	if err != nil || res.Err != nil {
		t.Fatal(err, res.Err)
	}
	defer res.Value.Release()
	if _, ok := res.Value.Slot(); ok || res.Value.Fd() < 0 {
		t.Fatalf("direct without a slot table")
	}
	if s := r.DirectStatus(); s.Fallback != 1 || !strings.Contains(s.Why, "no registered-file table") {
		t.Fatalf("fallback not reported: %s", s)
	}
}

// The fallback ring answers direct-descriptor SQEs as the kernel does.
// The same SQEs go to both rings (`go test` and WORKBOOK_RING=fallback);
// the wanted results are what Linux 6.18 answered.
func TestDirectSQEsAnswerAsTheKernel(t *testing.T) {
	r, err := NewReactor(8)
	if err != nil {
		t.Skip(err)
	}
	defer r.Close()
	path := writeTemp(t, "f", "x")
	p, _ := unix.BytePtrFromString(path)
	run := func(prep func(*SQE)) int32 {
		sqe := r.ring.NextSQE()
		prep(sqe)
		sqe.UserData = 7
		if _, err := r.ring.Submit(1); err != nil {
			t.Fatal(err)
		}
		var res int32
		for r.ring.Reap(func(c CQE) { res = c.Res }) == 0 {
			r.ring.Submit(1)
		}
		return res
	}
	open := func(slot uint32, flags int) func(*SQE) {
		return func(s *SQE) { s.PrepOpenatDirect(unix.AT_FDCWD, p, flags, 0, slot) }
	}
	closeSlot := func(slot uint32) func(*SQE) { return func(s *SQE) { s.PrepCloseDirect(slot) } }
	if res := run(open(0, unix.O_RDONLY)); res != -int32(unix.ENXIO) {
		t.Errorf("OPENAT direct with no table = %d, want -ENXIO", res)
	}
	if err := r.EnableFixed(0, 0, 2); err != nil {
		t.Fatal(err)
	}
	before := openFDs(t)
	for _, c := range []struct {
		name string
		prep func(*SQE)
		want int32
	}{
		{"OPENAT into slot 0", open(0, unix.O_RDONLY), 0},
		{"OPENAT into slot 0 again (replaces)", open(0, unix.O_RDONLY), 0},
		{"OPENAT with O_CLOEXEC", open(1, unix.O_RDONLY|unix.O_CLOEXEC), -int32(unix.EINVAL)},
		{"OPENAT into slot 2 of 2", open(2, unix.O_RDONLY), -int32(unix.EINVAL)},
		{"OPENAT into the slot the kernel picks", func(s *SQE) {
			s.PrepOpenatDirect(unix.AT_FDCWD, p, unix.O_RDONLY, 0, 0)
			s.FileIndex = fileIndexAlloc
		}, 1},
		{"OPENAT into the slot the kernel picks, table full", func(s *SQE) {
			s.PrepOpenatDirect(unix.AT_FDCWD, p, unix.O_RDONLY, 0, 0)
			s.FileIndex = fileIndexAlloc
		}, -int32(unix.ENFILE)},
		{"CLOSE slot 1 (allocated)", closeSlot(1), 0},
		{"CLOSE slot 0", closeSlot(0), 0},
		{"CLOSE slot 0 again", closeSlot(0), -int32(unix.EBADF)},
		{"CLOSE slot 1 (never filled)", closeSlot(1), -int32(unix.EBADF)},
		{"CLOSE slot 2 of 2", closeSlot(2), -int32(unix.EINVAL)},
	} {
		if res := run(c.prep); res != c.want {
			t.Errorf("%s on %s = %d (%v), want %d", c.name, r.RingKind(), res, unix.Errno(-res), c.want)
		}
	}
	if after := openFDs(t); after != before {
		t.Errorf("%d descriptors open, %d before: a replaced or closed slot kept its file", after, before)
	}
	_ = os.Remove(path)
}

// A direct OPENAT or ACCEPT that fails gives its slot back: a missing
// file, and an ACCEPT ended by its listener's Close. With one slot, a
// failure that kept it makes the last OpenDirect fall back.
func TestFailedDirectOpsGiveTheirSlotBack(t *testing.T) {
	ex, r, rec := newRuntime(t)
	enableFixed(t, r, 0, 1)
	path := writeTemp(t, "f", "x")
	ln, err := Listen(r, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	msg, err := executor.BlockOn(ex, executor.Async(func(a *executor.Awaiter) string {
		if fr := executor.Await(a, OpenDirect(r, path+".missing", unix.O_RDONLY, 0)); !errors.Is(fr.Err, os.ErrNotExist) {
			return "open of a missing file: " + errText(fr.Err)
		}
		acc := ln.AcceptDirect()
		if acc.Poll(a.Context()).IsReady() {
			return "ready with no connection"
		}
		if r.DirectStatus().InUse != 1 {
			return "the ACCEPT took no slot"
		}
		executor.Await(a, executor.YieldNow())
		ln.Close()
		if res := executor.Await(a, acc); res.Err == nil {
			return "accept on a closed listener succeeded"
		}
		fr := executor.Await(a, OpenDirect(r, path, unix.O_RDONLY, 0))
		if fr.Err != nil {
			return fr.Err.Error()
		}
		defer func() { executor.Await(a, fr.Value.Close()) }()
		if _, ok := fr.Value.Slot(); !ok {
			return "the slot leaked: " + r.DirectStatus().String()
		}
		return ""
	}))
	if err != nil || msg != "" {
		t.Fatalf("%s %v%s", msg, err, dumpTrace(rec))
	}
}

// Asking for DirectStatus, or calling OpenDirect, before EnableFixed does
// not count as enabling it: EnableFixed still works afterwards, and the
// fallback counted before is kept. (directs used to create the fixed
// state, and EnableFixed then said it was called twice.)
func TestDirectStatusBeforeEnableFixedLeavesItPossible(t *testing.T) {
	ex, r, _ := newRuntime(t)
	path := writeTemp(t, "f", "x")
	_ = r.DirectStatus()
	res, err := executor.BlockOn(ex, OpenDirect(r, path, unix.O_RDONLY, 0))
	if err != nil || res.Err != nil {
		t.Fatal(err, res.Err)
	}
	res.Value.Release()
	if s := r.FixedStatus(); s.Why != "EnableFixed not called" {
		t.Fatalf("FixedStatus before EnableFixed: %s", s)
	}
	enableFixed(t, r, 0, 2)
	res, err = executor.BlockOn(ex, OpenDirect(r, path, unix.O_RDONLY, 0))
	if err != nil || res.Err != nil {
		t.Fatal(err, res.Err)
	}
	defer res.Value.Release()
	if _, ok := res.Value.Slot(); !ok {
		t.Fatalf("not direct after EnableFixed: %s", r.DirectStatus())
	}
	if s := r.DirectStatus(); s.Fallback != 1 || s.Opened != 1 {
		t.Fatalf("counts lost: %s", s)
	}
}
