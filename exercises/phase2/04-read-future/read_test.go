package readfuture

import (
	"errors"
	"runtime"
	"syscall"
	"testing"
	"weak"

	executor "asyncworkbook/phase1-executor"
	"asyncworkbook/phases/check"
	"asyncworkbook/phases/trace"
)

const exercise = "phase2/04-read-future"

func setup(t *testing.T, steps ...func()) (*trace.Recorder, *executor.Executor) {
	rec := check.Recorder(t)
	ex := check.Executor(t, executor.WithSink(rec), executor.WithDriver(script(steps...)))
	return rec, ex
}

// theOp returns the one op in flight, failing the run otherwise.
func theOp(k *fakeKernel) *fakeOp {
	ops := k.inFlight()
	if len(ops) != 1 {
		check.Fail("the kernel expected exactly one read in flight; fake log:" + k.Log())
	}
	return ops[0]
}

func TestReadIsPendingUntilItsCompletion(t *testing.T) {
	defer check.Guard(t, exercise)
	k := newFake()
	var submitted Request
	rec, ex := setup(t, func() {
		op := theOp(k)
		submitted = op.req
		k.complete(op.id, 5, "hello")
	})
	buf := make([]byte, 16)
	got := check.BlockOn(t, ex, ReadAt(k, 7, buf, 4096))
	tr := check.Events(rec)
	if got.Err != nil || got.Value != 5 || string(buf[:5]) != "hello" {
		t.Fatalf("ReadAt yielded %+v with %q in the buffer, want 5 bytes, \"hello\"; fake log:%s\ntrace:%s", got, buf[:5], k.Log(), tr.Dump(60))
	}
	want := Request{Op: OpRead, Fd: 7, Len: 16, Off: 4096, Addr: submitted.Addr}
	if submitted != want {
		t.Errorf("the read was submitted as %+v, want %+v", submitted, want)
	}
	if len(k.all) != 1 {
		t.Errorf("one ReadAt submitted %d ops, want 1; fake log:%s", len(k.all), k.Log())
	}
	// Poll 1 submits; poll 2, after the completion's wake, collects.
	check.Polls(t, tr, 1, 2)
	check.WokenBy(t, tr, 1, trace.SourceCompletion, 0)
	check.NoLostWakeups(t, tr)
}

func TestReadWritesIntoTheCallersBuffer(t *testing.T) {
	defer check.Guard(t, exercise)
	k := newFake()
	_, ex := setup(t, func() {
		op := theOp(k)
		if op.req.Len != 4 {
			check.Fail("a read into buf[2:6] must ask for 4 bytes")
		}
		k.complete(op.id, 3, "abc") // a short read
	})
	buf := []byte("..........")
	got := check.BlockOn(t, ex, ReadAt(k, 3, buf[2:6], 0))
	if got.Err != nil || got.Value != 3 || string(buf) != "..abc....." {
		t.Fatalf("a short read into buf[2:6] yielded %+v and left buf %q, want 3 and \"..abc.....\": pass the address of the slice's own first byte; fake log:%s", got, buf, k.Log())
	}
}

func TestEndOfFileAndErrors(t *testing.T) {
	defer check.Guard(t, exercise)
	k := newFake()
	_, ex := setup(t,
		func() { k.complete(theOp(k).id, 0, "") },
		func() { k.complete(theOp(k).id, -int32(errnoEBADF), "") },
	)
	type out struct{ EOF, Bad executor.Result[int] } // exported: check.BlockOn looks inside
	got := check.BlockOn(t, ex, executor.Async(func(a *executor.Awaiter) out {
		var o out
		o.EOF = executor.Await(a, ReadAt(k, 3, make([]byte, 8), 100))
		o.Bad = executor.Await(a, ReadAt(k, 99, make([]byte, 8), 0))
		return o
	}))
	if got.EOF.Err != nil || got.EOF.Value != 0 {
		t.Errorf("a read at end of file (res 0) yielded %+v, want 0 and no error", got.EOF)
	}
	if !errors.Is(got.Bad.Err, syscall.EBADF) {
		t.Errorf("a read completing with res -%d yielded %+v, want an error that errors.Is syscall.EBADF: a negative result is a negated errno", int32(errnoEBADF), got.Bad)
	}
}

func TestNothingIsSubmittedBeforeTheFirstPoll(t *testing.T) {
	defer check.Guard(t, exercise)
	k := newFake()
	_, ex := setup(t)
	check.BlockOn(t, ex, executor.Async(func(a *executor.Awaiter) int {
		f := ReadAt(k, 3, make([]byte, 8), 0)
		if d, ok := f.(executor.Dropper); ok {
			d.Drop() // never polled: nothing to cancel
		}
		return 0
	}))
	if len(k.all) != 0 {
		t.Errorf("a ReadAt future that was never polled submitted %d ops: the first poll submits, not the constructor; fake log:%s", len(k.all), k.Log())
	}
}

// spawnRead spawns a task reading into a fresh buffer that only the
// future references, and returns its handle and a weak pointer to the
// buffer (which does not keep it alive).
//
//go:noinline
func spawnRead(ex *executor.Executor, k *fakeKernel) (executor.JoinHandle[executor.Result[int]], weak.Pointer[byte]) {
	buf := make([]byte, 64<<10)
	wp := weak.Make(&buf[0])
	h := executor.Spawn(ex, ReadAt(k, 3, buf, 0), executor.WithName("reader"))
	return h, wp
}

// collect runs the garbage collector to the end twice: whatever nothing
// references is freed, and its weak pointers read nil.
func collect() {
	runtime.GC()
	runtime.GC()
}

func TestDroppedReadKeepsItsBufferUntilTheCompletion(t *testing.T) {
	defer check.Guard(t, exercise)
	k := newFake()
	rec, ex := setup(t)
	h, wp := spawnRead(ex, k)
	type out struct {
		Dropped     executor.Result[executor.Result[int]] // exported: check.BlockOn looks inside
		cancelled   bool
		aliveAfter  bool // after the drop, before the completion
		orphaned    bool
		freedAtLast bool // after the completion
		inFlight    int
	}
	got := check.BlockOn(t, ex, executor.Async(func(a *executor.Awaiter) out {
		var o out
		executor.Await(a, executor.YieldNow()) // the reader submits
		o.inFlight = len(k.inFlight())
		if o.inFlight != 1 {
			o.Dropped = executor.Await(a, executor.Future[executor.Result[executor.Result[int]]](h))
			return o
		}
		op := k.inFlight()[0]
		h.Cancel() // the reader is dropped while the kernel reads
		o.Dropped = executor.Await(a, executor.Future[executor.Result[executor.Result[int]]](h))
		o.cancelled = op.cancelled
		collect()
		o.aliveAfter = wp.Value() != nil
		if !o.aliveAfter {
			return o
		}
		k.complete(op.id, 42, "late data") // the kernel finished anyway
		o.orphaned = op.orphaned
		collect()
		o.freedAtLast = wp.Value() == nil
		return o
	}))
	tr := check.Events(rec)
	if got.inFlight != 1 {
		t.Fatalf("after its first poll the reader has %d reads in flight, want 1; fake log:%s", got.inFlight, k.Log())
	}
	if !errors.Is(got.Dropped.Err, executor.ErrCancelled) {
		t.Fatalf("the cancelled reader's handle yielded %+v, want ErrCancelled; trace:%s", got.Dropped, tr.Dump(60))
	}
	if !got.cancelled {
		t.Errorf("the reader was dropped with its read in flight, but Drop did not call Cancel: the kernel goes on reading for nobody; fake log:%s", k.Log())
	}
	if !got.aliveAfter {
		t.Fatalf("the reader was dropped with its read in flight, and the garbage collector then freed its buffer — while the kernel still had its address and may write into it. "+
			"Keep the buffer alive and in place (runtime.Pinner) until the op's completion, not until Drop: pass Cancel an orphan function that releases it; fake log:%s", k.Log())
	}
	if !got.freedAtLast {
		t.Errorf("after the cancelled read's completion arrived, its buffer was still kept alive: release (Unpin) it in the orphan function Cancel calls with the completion; fake log:%s", k.Log())
	}
	check.Count(t, tr, h.ID(), trace.Cancelled, 1, "the reader was cancelled")
}

func TestDropAfterTheCompletionReleasesTheBuffer(t *testing.T) {
	defer check.Guard(t, exercise)
	k := newFake()
	_, ex := setup(t)
	h, wp := spawnRead(ex, k)
	type out struct {
		Reader executor.Result[executor.Result[int]] // exported: check.BlockOn looks inside
		Freed  bool
	}
	got := check.BlockOn(t, ex, executor.Async(func(a *executor.Awaiter) out {
		var o out
		executor.Await(a, executor.YieldNow()) // the reader submits
		if ops := k.inFlight(); len(ops) == 1 {
			// The read completes and wakes the reader; the reader is
			// cancelled before it could collect the result.
			k.complete(ops[0].id, 10, "0123456789")
			h.Cancel()
		}
		o.Reader = executor.Await(a, executor.Future[executor.Result[executor.Result[int]]](h))
		collect()
		o.Freed = wp.Value() == nil
		return o
	}))
	freed := got.Freed
	if len(k.all) != 1 {
		t.Fatalf("the reader submitted %d reads, want 1; fake log:%s", len(k.all), k.Log())
	}
	if op := k.all[0]; op.forgotten && !op.collected {
		t.Fatalf("a reader dropped after its read completed (but before it collected the result) called Cancel on the completed op: "+
			"Cancel then forgets the op and never calls the orphan function, so the buffer stays pinned for ever. In Drop, ask Result first; if it is done, the kernel is done with the buffer: release it; fake log:%s", k.Log())
	}
	if !freed {
		t.Errorf("a reader dropped after its read completed (but before it collected the result) left its buffer pinned for ever: "+
			"when Drop finds the op complete (Result says done), the kernel is done with the buffer — release it; fake log:%s", k.Log())
	}
}

// TestAMovedReadWakesTheTaskThatAwaitsItNow moves the read to another
// task after its first poll (check.Handoff): its completion must wake
// that task.
func TestAMovedReadWakesTheTaskThatAwaitsItNow(t *testing.T) {
	defer check.Guard(t, exercise)
	k := newFake()
	_, ex := setup(t,
		func() { k.complete(theOp(k).id, 3, "abc") },
		func() {
			check.Fail("the moved read completed, but the task awaiting it now was never woken: the completion fired the waker given to Submit, whose task has moved on. " +
				"Pass Result the waker of every poll (cx.Waker()), so the submitter always holds the newest one; fake log:" + k.Log())
		})
	buf := make([]byte, 8)
	ho := check.NewHandoff(ReadAt(k, 3, buf, 0), 1)
	keepIfFailed(t, ho)
	if check.BlockOn(t, ex, ho.First()) {
		t.Fatal("the read was ready at its first poll, before its completion")
	}
	if r := check.BlockOn(t, ex, ho.Second()); r.Err != nil || r.Value != 3 || string(buf[:3]) != "abc" {
		t.Fatalf("the moved read yielded %+v with %q, want 3 bytes \"abc\"", r, buf[:3])
	}
}

// TestSpuriousPollsSubmitOnce polls the read again and again before its
// completion (a sibling wakes the task: check.Jostle).
func TestSpuriousPollsSubmitOnce(t *testing.T) {
	defer check.Guard(t, exercise)
	k := newFake()
	_, ex := setup(t, func() { k.complete(theOp(k).id, 2, "hi") })
	buf := make([]byte, 8)
	read := ReadAt(k, 5, buf, 7)
	keepIfFailed(t, read)
	got := check.BlockOn(t, ex, executor.Join2(read, check.Jostle(6)))
	if len(k.all) != 1 {
		t.Fatalf("a read polled 7 times before its completion submitted %d ops, want 1: only the first poll submits; later polls ask Result; fake log:%s", len(k.all), k.Log())
	}
	if r := got.A; r.Err != nil || r.Value != 2 {
		t.Fatalf("the read yielded %+v, want 2 bytes", r)
	}
	if op := k.all[0]; op.results == 0 {
		t.Errorf("the read was polled before its completion without asking Result (with its waker): fake log:%s", k.Log())
	}
	if req := k.all[0].req; req.Fd != 5 || req.Off != 7 || req.Len != 8 || req.Op != OpRead {
		t.Errorf("the read submitted %+v, want OpRead on fd 5 at offset 7 for 8 bytes", req)
	}
}

func TestAnEmptyBufferReadsNothing(t *testing.T) {
	defer check.Guard(t, exercise)
	k := newFake()
	_, ex := setup(t)
	r := check.BlockOn(t, ex, ReadAt(k, 3, nil, 0))
	if r.Err != nil || r.Value != 0 || len(k.all) != 0 {
		t.Fatalf("a read into an empty buffer yielded %+v after %d submits, want 0 bytes at once, and nothing submitted (there is no &buf[0] to give the kernel)", r, len(k.all))
	}
}
