//go:build linux

package iouring

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"

	executor "asyncworkbook/phase1-executor"
	"asyncworkbook/phases/trace"
)

// These run on both rings: `go test` uses io_uring, WORKBOOK_RING=fallback
// the fallback's emulation (fallback_fixed.go).

func writeTemp(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func enableFixed(t *testing.T, r *Reactor, bufs int, slots uint32) {
	t.Helper()
	if err := r.EnableFixed(bufs, 4096, slots); err != nil {
		t.Fatalf("EnableFixed on %s: %v", r.RingKind(), err)
	}
}

// errText is err's message, or "" for nil.
func errText(err error) string {
	if err == nil {
		return ""
	}
	return " " + err.Error()
}

// sqeOps lists the opcodes of the SQEs the trace recorded.
func sqeOps(rec *trace.Recorder) []string {
	var ops []string
	for _, e := range rec.Events() {
		if e.Kind == trace.SQEPrepared {
			ops = append(ops, e.Op)
		}
	}
	return ops
}

// The slot, not the descriptor number, names the file: after the number
// is made to point at another file (dup2), READ_FIXED still reads the one
// registered, while a plain READ reads the new one. An implementation
// that forgets IOSQE_FIXED_FILE reads "BBBB".
func TestReadAtFixedReadsThroughTheRegisteredSlot(t *testing.T) {
	ex, r, rec := newRuntime(t)
	enableFixed(t, r, 4, 4)
	pa, pb := writeTemp(t, "a", "AAAA"), writeTemp(t, "b", "BBBB")
	got, err := executor.BlockOn(ex, executor.Async(func(a *executor.Awaiter) string {
		fr := executor.Await(a, Open(r, pa, unix.O_RDONLY, 0))
		if fr.Err != nil {
			return fr.Err.Error()
		}
		f := fr.Value
		buf := make([]byte, 4)
		first := executor.Await(a, f.ReadAtFixed(buf, 0))
		if first.Err != nil || string(buf[:first.Value]) != "AAAA" {
			return "first fixed read: " + string(buf) + errText(first.Err)
		}
		if s := r.FixedStatus(); s.SlotsInUse != 1 || s.BufsInUse != 0 {
			return "status after one read: " + s.String()
		}
		b, err := unix.Open(pb, unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			return err.Error()
		}
		if err := unix.Dup2(b, f.Fd()); err != nil {
			return err.Error()
		}
		unix.Close(b)
		fixed := executor.Await(a, f.ReadAtFixed(buf, 0))
		s1 := string(buf[:fixed.Value])
		plain := executor.Await(a, f.ReadAt(buf, 0))
		s2 := string(buf[:plain.Value])
		executor.Await(a, f.Close())
		return s1 + " " + s2
	}))
	if err != nil || got != "AAAA BBBB" {
		t.Fatalf("fixed, plain read = %q, %v; want \"AAAA BBBB\"%s", got, err, dumpTrace(rec))
	}
	if ops := strings.Join(sqeOps(rec), " "); !strings.Contains(ops, "READ_FIXED") {
		t.Fatalf("no READ_FIXED SQE: %s", ops)
	}
	var noted bool
	for _, e := range rec.Events() {
		if e.Kind == trace.SQEPrepared && e.Op == "READ_FIXED" && strings.HasPrefix(e.Note, "fixed file slot 0 (fd ") &&
			strings.Contains(e.Note, "slots 1/4, buffers 1/4 in use") {
			noted = true
		}
	}
	if !noted {
		t.Fatalf("no READ_FIXED SQE traced with its slot and buffer occupancy:%s", dumpTrace(rec))
	}
	if s := r.FixedStatus(); s.SlotsInUse != 0 {
		t.Fatalf("Close left the slot full: %s", s)
	}
}

// Closing a File empties its slot: the next file to get the same
// descriptor number must not be read through the old file's slot. Without
// dropSlot the second read says "AAAA".
func TestClosedFilesSlotIsNotReusedForItsNumber(t *testing.T) {
	ex, r, rec := newRuntime(t)
	enableFixed(t, r, 4, 4)
	pa, pb := writeTemp(t, "a", "AAAA"), writeTemp(t, "b", "BBBB")
	got, err := executor.BlockOn(ex, executor.Async(func(a *executor.Awaiter) string {
		var out []string
		for _, p := range []string{pa, pb} {
			fr := executor.Await(a, Open(r, p, unix.O_RDONLY, 0))
			if fr.Err != nil {
				return fr.Err.Error()
			}
			buf := make([]byte, 4)
			rd := executor.Await(a, fr.Value.ReadAtFixed(buf, 0))
			out = append(out, string(buf[:rd.Value])+errText(rd.Err))
			executor.Await(a, fr.Value.Close())
		}
		return strings.Join(out, " ")
	}))
	if err != nil || got != "AAAA BBBB" {
		t.Fatalf("reads = %q, %v; want \"AAAA BBBB\"%s", got, err, dumpTrace(rec))
	}
}

// A READ_FIXED dropped before its CQE keeps its registered buffer until
// the CQE: handing it back at the drop would let the next read share a
// buffer the kernel may still write.
func TestDroppedReadFixedKeepsItsBufferUntilTheCQE(t *testing.T) {
	ex, r, rec := newRuntime(t)
	enableFixed(t, r, 2, 2)
	pipe, _ := newPipe(t, r)
	got, err := executor.BlockOn(ex, executor.Async(func(a *executor.Awaiter) string {
		executor.Await(a, executor.Select(
			pipe.ReadAtFixed(make([]byte, 16), 0),
			executor.Ready(executor.Result[int]{Value: -1}),
		))
		during := r.FixedStatus().BufsInUse
		drain(a, r)
		after := r.FixedStatus().BufsInUse
		if during != 1 || after != 0 {
			return "buffers in use: " + string(rune('0'+during)) + " before the CQE, " + string(rune('0'+after)) + " after; want 1, 0"
		}
		return ""
	}))
	if err != nil || got != "" {
		t.Fatalf("%s %v%s", got, err, dumpTrace(rec))
	}
}

// With every registered buffer held, or a read larger than one, the read
// takes the plain path and still reads the right bytes.
func TestReadAtFixedFallsBackToReadWhenNoBufferFits(t *testing.T) {
	ex, r, rec := newRuntime(t)
	enableFixed(t, r, 1, 2)
	pipe, _ := newPipe(t, r)
	big := strings.Repeat("x", 5000)
	p := writeTemp(t, "big", big)
	got, err := executor.BlockOn(ex, executor.Async(func(a *executor.Awaiter) string {
		fr := executor.Await(a, Open(r, p, unix.O_RDONLY, 0))
		if fr.Err != nil {
			return fr.Err.Error()
		}
		f := fr.Value
		defer func() { executor.Await(a, f.Close()) }()
		buf := make([]byte, 5000)
		rd := executor.Await(a, f.ReadAtFixed(buf, 0)) // larger than a buffer
		if rd.Err != nil || string(buf[:rd.Value]) != big {
			return "big read: " + errText(rd.Err)
		}
		// The pipe read holds the only buffer; the file read goes plain.
		res := executor.Await(a, executor.Select(
			pipe.ReadAtFixed(make([]byte, 16), 0),
			f.ReadAtFixed(buf[:3], 1),
		))
		if res.Index != 1 || res.Value.Value != 3 || string(buf[:3]) != "xxx" {
			return "read with the buffer taken: " + string(buf[:3]) + errText(res.Value.Err)
		}
		drain(a, r)
		return ""
	}))
	if err != nil || got != "" {
		t.Fatalf("%s %v%s", got, err, dumpTrace(rec))
	}
	if ops := strings.Join(sqeOps(rec), " "); strings.Count(ops, "READ_FIXED") != 1 || strings.Count(ops, " READ ") < 1 {
		t.Fatalf("want one READ_FIXED (the pipe's) and plain READs for the rest: %s", ops)
	}
}

// memlockRings is a ring whose buffer registration fails as it does over
// RLIMIT_MEMLOCK (the kernel's own answer is TestRegisterBuffersOverMemlockSaysSo).
type memlockRings struct{ Rings }

func (m memlockRings) RegisterBuffers(p *BufferPool) error {
	return &MemlockError{Need: uint64(p.Len() * p.Size()), Limit: 64 << 10}
}
func (m memlockRings) RegisterFiles(n uint32) error { return m.Rings.(fixedRings).RegisterFiles(n) }
func (m memlockRings) UpdateFiles(s uint32, fds []int32) error {
	return m.Rings.(fixedRings).UpdateFiles(s, fds)
}

// Over the memlock limit EnableFixed says so with the figures, the status
// keeps the reason, and the fixed calls still read, through READ.
func TestEnableFixedOverMemlockSaysWhyAndReadsPlain(t *testing.T) {
	ex, r, rec := newRuntime(t)
	r.ring = memlockRings{r.ring}
	err := r.EnableFixed(16, 4096, 2)
	var me *MemlockError
	if !errors.As(err, &me) || !errors.Is(err, unix.ENOMEM) {
		t.Fatalf("EnableFixed = %v; want a MemlockError", err)
	}
	if s := r.FixedStatus(); s.Buffers != 0 || s.Slots != 2 || !strings.Contains(s.Why, "RLIMIT_MEMLOCK") {
		t.Fatalf("status = %s; want no buffers, 2 slots, and the memlock reason", s)
	}
	p := writeTemp(t, "a", "AAAA")
	got, _ := executor.BlockOn(ex, executor.Async(func(a *executor.Awaiter) string {
		fr := executor.Await(a, Open(r, p, unix.O_RDONLY, 0))
		if fr.Err != nil {
			return fr.Err.Error()
		}
		buf := make([]byte, 4)
		rd := executor.Await(a, fr.Value.ReadAtFixed(buf, 0))
		executor.Await(a, fr.Value.Close())
		return string(buf[:rd.Value]) + errText(rd.Err)
	}))
	if got != "AAAA" {
		t.Fatalf("read = %q%s", got, dumpTrace(rec))
	}
}

// The fallback refuses what the kernel refuses, with the kernel's errno:
// a READ_FIXED outside its registered buffer is -EFAULT, a fixed file in
// an empty slot -EBADF. Run on both rings, so the emulation is checked
// against the kernel itself.
func TestFixedOpsOutsideTheTablesFailAsTheKernelSays(t *testing.T) {
	_, r, _ := newRuntime(t)
	enableFixed(t, r, 2, 4)
	pool := r.fixed.pool
	f, err := os.Open(writeTemp(t, "a", "AAAA"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fd := int(f.Fd())
	buf0 := unsafe.Pointer(unsafe.SliceData(pool.Buf(0)))
	buf1 := unsafe.Pointer(unsafe.SliceData(pool.Buf(1)))
	cases := []struct {
		name string
		prep func(s *SQE)
		want int32
	}{
		{"in range", func(s *SQE) { s.PrepReadFixed(fd, buf0, 4, 0, 0) }, 4},
		{"buffer index past the table", func(s *SQE) { s.PrepReadFixed(fd, buf0, 4, 0, 2) }, -int32(unix.EFAULT)},
		{"address in another buffer", func(s *SQE) { s.PrepReadFixed(fd, buf1, 4, 0, 0) }, -int32(unix.EFAULT)},
		{"empty slot", func(s *SQE) { s.PrepReadFixed(3, buf0, 4, 0, 0); s.Flags |= SQEFixedFile }, -int32(unix.EBADF)},
	}
	for _, c := range cases {
		sqe := r.ring.NextSQE()
		c.prep(sqe)
		sqe.UserData = 1<<63 | 99
		var got []CQE
		for len(got) == 0 {
			if _, err := r.ring.Submit(1); err != nil {
				t.Fatal(err)
			}
			r.ring.Reap(func(c CQE) { got = append(got, c) })
		}
		if got[0].Res != c.want {
			t.Errorf("%s on %s: res %d, want %d", c.name, r.RingKind(), got[0].Res, c.want)
		}
	}
}

// On the fallback a slot keeps its file after the caller's descriptor is
// closed, as the kernel's file reference does, and an emptied slot closes
// its dup once no op uses it.
func TestFallbackSlotOwnsItsDescriptor(t *testing.T) {
	fb := NewFallbackRing(8)
	defer fb.Close()
	if err := fb.RegisterFiles(2); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(writeTemp(t, "a", "AAAA"))
	if err != nil {
		t.Fatal(err)
	}
	if err := fb.UpdateFiles(1, []int32{int32(f.Fd())}); err != nil {
		t.Fatal(err)
	}
	dup := fb.fixed.files[1].fd
	f.Close()
	if _, err := unix.FcntlInt(uintptr(dup), unix.F_GETFD, 0); err != nil {
		t.Fatalf("the slot's dup died with the caller's descriptor: %v", err)
	}
	if err := fb.UpdateFiles(1, []int32{-1}); err != nil {
		t.Fatal(err)
	}
	if _, err := unix.FcntlInt(uintptr(dup), unix.F_GETFD, 0); err == nil {
		t.Fatal("emptying the slot left its dup open")
	}
	if err := fb.UpdateFiles(2, []int32{-1}); err == nil {
		t.Fatal("a slot past the table was accepted")
	}
}
