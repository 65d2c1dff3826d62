//go:build linux

package iouring

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"

	executor "asyncworkbook/phase1-executor"
)

// These run on both rings: `go test` uses io_uring, WORKBOOK_RING=fallback
// the fallback's emulation of registered buffers (fallback_fixed.go).

const lendData = "0123456789abcdefghijklmnopqrstuv"

// inPool reports whether b is memory of the reactor's registered buffers.
func inPool(r *Reactor, b []byte) bool {
	if len(b) == 0 || r.fixed == nil || r.fixed.pool == nil {
		return false
	}
	mem := r.fixed.pool.mem
	p := uintptr(unsafe.Pointer(&b[0]))
	start := uintptr(unsafe.Pointer(&mem[0]))
	return p >= start && p < start+uintptr(len(mem))
}

// openLendFile opens a file holding lendData through the ring.
func openLendFile(t *testing.T, a *executor.Awaiter, r *Reactor) *File {
	t.Helper()
	fr := executor.Await(a, Open(r, writeTemp(t, "lend", lendData), unix.O_RDONLY, 0))
	if fr.Err != nil {
		t.Fatal(fr.Err)
	}
	return fr.Value
}

// lend reads n bytes at off with ReadAtLent.
func lend(a *executor.Awaiter, f *File, n int, off int64) (Lent, error) {
	res := executor.Await(a, executor.Future[executor.Result[Lent]](f.ReadAtLent(n, off)))
	return res.Value, res.Err
}

// A lent buffer is the registered buffer itself (no copy), and nobody
// else is given it until its Release: with both buffers lent, a third
// read goes plain and the first two still hold their bytes. Wrong
// implementations caught: giving the buffer back at the CQE, as
// ReadAtFixed does (the third read overwrites a held one); a Release that
// frees nothing (the fourth read finds no buffer); Bytes of a released
// Lent still showing the buffer, now someone else's.
func TestALentBufferIsNotReusedBeforeItsRelease(t *testing.T) {
	ex, r, rec := newRuntime(t)
	enableFixed(t, r, 2, 1)
	got, err := executor.BlockOn(ex, executor.Async(func(a *executor.Awaiter) string {
		f := openLendFile(t, a, r)
		defer func() { executor.Await(a, f.Close()) }()
		l1, err1 := lend(a, f, 4, 0)
		l2, err2 := lend(a, f, 4, 4)
		if err1 != nil || err2 != nil {
			return fmt.Sprint("lends: ", err1, err2)
		}
		if !inPool(r, l1.Bytes()) || !inPool(r, l2.Bytes()) {
			return "a lend is not the registered buffer (copied?)"
		}
		if s := r.FixedStatus(); s.BufsInUse != 2 {
			return "with two lends held: " + s.String()
		}
		l3, err := lend(a, f, 4, 8) // no buffer free: a plain READ
		if err != nil || string(l3.Bytes()) != "89ab" || inPool(r, l3.Bytes()) {
			return fmt.Sprintf("third read = %q (in pool %v), %v; want \"89ab\" from the heap", l3.Bytes(), inPool(r, l3.Bytes()), err)
		}
		if string(l1.Bytes()) != "0123" || string(l2.Bytes()) != "4567" {
			return fmt.Sprintf("held lends now say %q %q: a buffer was reused", l1.Bytes(), l2.Bytes())
		}
		l3.Release()
		l1.Release()
		if l1.Bytes() != nil {
			return "a released Lent still shows its buffer"
		}
		l4, err := lend(a, f, 4, 12)
		if err != nil || string(l4.Bytes()) != "cdef" || !inPool(r, l4.Bytes()) {
			return fmt.Sprintf("read after a Release = %q (in pool %v), %v; want \"cdef\" in the released buffer", l4.Bytes(), inPool(r, l4.Bytes()), err)
		}
		if string(l2.Bytes()) != "4567" || l1.Bytes() != nil {
			return fmt.Sprintf("after the fourth read: l2 %q, released l1 %q", l2.Bytes(), l1.Bytes())
		}
		l2.Release()
		l4.Release()
		if s := r.FixedStatus(); s.BufsInUse != 0 {
			return "after every Release: " + s.String()
		}
		return ""
	}))
	if err != nil || got != "" {
		t.Fatalf("%s %v%s", got, err, dumpTrace(rec))
	}
	if ops := strings.Join(sqeOps(rec), " "); strings.Count(ops, "READ_FIXED") != 3 {
		t.Fatalf("want 3 READ_FIXED SQEs (the third read plain): %s", ops)
	}
}

// Releasing a Lent twice, or a copy of it, gives its buffer back once:
// otherwise the free list holds it twice and two reads share it, the
// second overwriting the first. Two lends afterwards must get different
// buffers and keep their own bytes.
func TestReleasingALentTwiceGivesItsBufferBackOnce(t *testing.T) {
	ex, r, rec := newRuntime(t)
	enableFixed(t, r, 2, 1)
	got, err := executor.BlockOn(ex, executor.Async(func(a *executor.Awaiter) string {
		f := openLendFile(t, a, r)
		defer func() { executor.Await(a, f.Close()) }()
		l, err := lend(a, f, 4, 0)
		if err != nil {
			return err.Error()
		}
		cp := l
		l.Release()
		cp.Release()
		l.Release()
		if s := r.FixedStatus(); s.BufsInUse != 0 || len(r.fixed.freeBufs) != 2 {
			return fmt.Sprintf("after three Releases of one lend: %s, free list %v", s, r.fixed.freeBufs)
		}
		la, erra := lend(a, f, 4, 16)
		lb, errb := lend(a, f, 4, 20)
		if erra != nil || errb != nil {
			return fmt.Sprint(erra, errb)
		}
		if string(la.Bytes()) != "ghij" || string(lb.Bytes()) != "klmn" {
			return fmt.Sprintf("two lends say %q %q; want \"ghij\" \"klmn\"", la.Bytes(), lb.Bytes())
		}
		la.Release()
		lb.Release()
		return ""
	}))
	if err != nil || got != "" {
		t.Fatalf("%s %v%s", got, err, dumpTrace(rec))
	}
}

// A lent read dropped before its CQE gives its buffer back at the CQE —
// not at the drop (the kernel may still write it), and not never (the
// buffer would leak). Wrong implementations caught: cancelling without
// an orphan handler (1 in use after the CQE), freeing at the drop (0 in
// use before it).
func TestADroppedLentReadGivesItsBufferBackAtTheCQE(t *testing.T) {
	ex, r, rec := newRuntime(t)
	enableFixed(t, r, 2, 2)
	pipe, _ := newPipe(t, r)
	got, err := executor.BlockOn(ex, executor.Async(func(a *executor.Awaiter) string {
		executor.Await(a, executor.Select(
			executor.Future[executor.Result[Lent]](pipe.ReadAtLent(16, 0)),
			executor.Ready(executor.Result[Lent]{}),
		))
		during := r.FixedStatus().BufsInUse
		drain(a, r)
		after := r.FixedStatus().BufsInUse
		if during != 1 || after != 0 {
			return fmt.Sprintf("buffers in use: %d before the CQE, %d after; want 1, 0", during, after)
		}
		return ""
	}))
	if err != nil || got != "" {
		t.Fatalf("%s %v%s", got, err, dumpTrace(rec))
	}
}

// dropWhenDone polls a lent read until its CQE has been reaped, then
// drops it instead of collecting the result: the lend nobody will take.
type dropWhenDone struct {
	rd      *LentRead
	r       *Reactor
	dropped bool
}

func (d *dropWhenDone) Poll(cx *executor.Context) executor.Poll[int] {
	if d.rd.started && d.r.ops[d.rd.idx].state == opDone {
		d.rd.Drop()
		d.dropped = true
		return executor.PollReady(d.r.FixedStatus().BufsInUse)
	}
	if _, ok := d.rd.Poll(cx).Value(); ok {
		return executor.PollReady(-1) // collected: the test did not get its interleaving
	}
	return executor.Pending[int]()
}

// A lent read whose CQE came but whose result nobody collected (dropped
// between the CQE and its next poll) gives its buffer back at the drop.
func TestALentReadDroppedAfterItsCQEGivesItsBufferBack(t *testing.T) {
	ex, r, rec := newRuntime(t)
	enableFixed(t, r, 2, 1)
	got, err := executor.BlockOn(ex, executor.Async(func(a *executor.Awaiter) string {
		f := openLendFile(t, a, r)
		defer func() { executor.Await(a, f.Close()) }()
		inUse := executor.Await(a, executor.Future[int](&dropWhenDone{rd: f.ReadAtLent(4, 0), r: r}))
		if inUse != 0 {
			return fmt.Sprintf("buffers in use after dropping a completed lend: %d; want 0", inUse)
		}
		return ""
	}))
	if err != nil || got != "" {
		t.Fatalf("%s %v%s", got, err, dumpTrace(rec))
	}
}

// Again reuses a completed read's future for the next read; on one still
// in flight it refuses (the op table names it). A loop of reads then
// allocates nothing per read on io_uring, untraced (the fallback's
// workers allocate, so only the reads are checked there; a trace sink
// allocates its events).
func TestLentReadAgainReusesTheFuture(t *testing.T) {
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
	enableFixed(t, r, 2, 1)
	const reads = 200
	got, err := executor.BlockOn(ex, executor.Async(func(a *executor.Awaiter) string {
		f := openLendFile(t, a, r)
		defer func() { executor.Await(a, f.Close()) }()
		rd := f.ReadAtLent(4, 0)
		res := executor.Await(a, executor.Future[executor.Result[Lent]](rd))
		if string(res.Value.Bytes()) != "0123" {
			return fmt.Sprintf("first read %q %v", res.Value.Bytes(), res.Err)
		}
		res.Value.Release()
		var ms0, ms1 runtime.MemStats
		runtime.ReadMemStats(&ms0)
		for i := range reads {
			off := int64(i%8) * 4
			res := executor.Await(a, executor.Future[executor.Result[Lent]](rd.Again(4, off)))
			if res.Err != nil || string(res.Value.Bytes()) != lendData[off:off+4] {
				return fmt.Sprintf("read %d at %d = %q, %v", i, off, res.Value.Bytes(), res.Err)
			}
			res.Value.Release()
		}
		runtime.ReadMemStats(&ms1)
		if allocs := ms1.Mallocs - ms0.Mallocs; r.RingKind() == "io_uring" && allocs > reads/10 {
			return fmt.Sprintf("%d allocations in %d reused reads; want at most %d", allocs, reads, reads/10)
		}
		inflight := f.ReadAtLent(4, 0)
		executor.Await(a, executor.Select(executor.Future[executor.Result[Lent]](inflight), executor.Ready(executor.Result[Lent]{})))
		// Dropped by Select: Again is fine now. One started and not done
		// must panic.
		inflight.Again(4, 0)
		started := &LentRead{f: f, started: true}
		if msg := panicOf(func() { started.Again(4, 0) }); !strings.Contains(msg, "before the read completed") {
			return "Again on a read in flight: panic " + msg
		}
		drain(a, r)
		return ""
	}))
	if err != nil || got != "" {
		t.Fatalf("%s %v", got, err)
	}
}

// panicOf runs fn and returns what it panicked with ("" if nothing).
func panicOf(fn func()) (msg string) {
	defer func() {
		if p := recover(); p != nil {
			msg = fmt.Sprint(p)
		}
	}()
	fn()
	return ""
}

// Without registered buffers (EnableFixed not called) a lent read is a
// plain READ into fresh memory, and reads the right bytes; a negative
// length is an error (a plain make would panic), zero lends nothing, and
// on a closed file it fails with ErrFileClosed.
func TestReadAtLentWithoutRegisteredBuffers(t *testing.T) {
	ex, r, rec := newRuntime(t)
	got, err := executor.BlockOn(ex, executor.Async(func(a *executor.Awaiter) string {
		f := openLendFile(t, a, r)
		l, err := lend(a, f, 5, 3)
		if err != nil || string(l.Bytes()) != "34567" || l.Len() != 5 {
			return fmt.Sprintf("plain lend = %q, %v", l.Bytes(), err)
		}
		l.Release()
		if _, err := lend(a, f, -1, 0); err == nil || !strings.Contains(err.Error(), "-1 bytes") {
			return fmt.Sprintf("lend of -1 bytes: %v; want an error saying so", err)
		}
		if l, err := lend(a, f, 0, 0); err != nil || l.Len() != 0 || l.Bytes() != nil {
			return fmt.Sprintf("lend of 0 bytes: %q, %v; want nothing", l.Bytes(), err)
		}
		executor.Await(a, f.Close())
		if _, err := lend(a, f, 4, 0); err != ErrFileClosed {
			return fmt.Sprintf("lend on a closed file: %v; want ErrFileClosed", err)
		}
		return ""
	}))
	if err != nil || got != "" {
		t.Fatalf("%s %v%s", got, err, dumpTrace(rec))
	}
	if ops := strings.Join(sqeOps(rec), " "); strings.Contains(ops, "READ_FIXED") {
		t.Fatalf("READ_FIXED without registered buffers: %s", ops)
	}
}
