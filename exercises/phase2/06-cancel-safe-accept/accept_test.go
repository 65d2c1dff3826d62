package cancelaccept

import (
	"errors"
	"syscall"
	"testing"

	executor "asyncworkbook/phase1-executor"
	"asyncworkbook/phases/check"
	"asyncworkbook/phases/trace"
)

const exercise = "phase2/06-cancel-safe-accept"

const listenFD = 3

func setup(t *testing.T, steps ...func()) (*trace.Recorder, *executor.Executor) {
	rec := check.Recorder(t)
	ex := check.Executor(t, executor.WithSink(rec), executor.WithDriver(script(steps...)))
	return rec, ex
}

// theOp returns the one accept in flight, failing the run otherwise.
func theOp(k *fakeKernel) *fakeOp {
	ops := k.inFlight()
	if len(ops) != 1 {
		check.Fail("the kernel expected exactly one accept in flight; fake log:" + k.Log())
	}
	return ops[0]
}

// noFDProblems fails the test for every descriptor leaked or misclosed.
func noFDProblems(t *testing.T, k *fakeKernel) {
	t.Helper()
	for _, p := range k.fdProblems() {
		t.Errorf("%s; fake log:%s", p, k.Log())
	}
}

// accepted is a task's handle result, exported for check.BlockOn to look
// inside.
type accepted struct {
	Res executor.Result[executor.Result[int32]]
}

// dropWhen spawns an acceptor, lets it submit, runs between (the kernel's
// doing, on the executor's goroutine), cancels the acceptor and awaits it.
func dropWhen(t *testing.T, k *fakeKernel, ex *executor.Executor, between func(op *fakeOp)) accepted {
	t.Helper()
	return check.BlockOn(t, ex, executor.Async(func(a *executor.Awaiter) accepted {
		h := executor.SpawnLocal(a.Context(), Accept(k, listenFD), executor.WithName("acceptor"))
		executor.Await(a, executor.YieldNow()) // the acceptor submits
		if ops := k.inFlight(); len(ops) == 1 {
			between(ops[0])
			h.Cancel()
		}
		return accepted{executor.Await(a, executor.Future[executor.Result[executor.Result[int32]]](h))}
	}))
}

func TestAcceptYieldsTheNewConnection(t *testing.T) {
	defer check.Guard(t, exercise)
	k := newFake()
	rec, ex := setup(t, func() { k.complete(theOp(k).id, 7) })
	got := check.BlockOn(t, ex, Accept(k, listenFD))
	tr := check.Events(rec)
	if got.Err != nil || got.Value != 7 {
		t.Fatalf("Accept yielded %+v, want descriptor 7 (the completion's result); fake log:%s", got, k.Log())
	}
	if len(k.all) != 1 || k.all[0].req != (Request{Op: OpAccept, Fd: listenFD}) {
		t.Errorf("Accept submitted %d ops (the first %+v), want one OpAccept on the listener %d; fake log:%s", len(k.all), k.all[0].req, listenFD, k.Log())
	}
	if k.closes[7] != 0 {
		t.Errorf("descriptor 7 was handed to the caller and closed as well (%d times): once Ready, the caller owns it; fake log:%s", k.closes[7], k.Log())
	}
	noFDProblems(t, k)
	check.Polls(t, tr, 1, 2)
	check.WokenBy(t, tr, 1, trace.SourceCompletion, 0)
	check.NoLostWakeups(t, tr)
}

func TestAcceptErrorsAreErrors(t *testing.T) {
	defer check.Guard(t, exercise)
	k := newFake()
	_, ex := setup(t, func() { k.complete(theOp(k).id, -int32(syscall.EMFILE)) })
	got := check.BlockOn(t, ex, Accept(k, listenFD))
	if !errors.Is(got.Err, syscall.EMFILE) {
		t.Fatalf("an accept completing with -EMFILE yielded %+v, want an error that errors.Is syscall.EMFILE", got)
	}
	noFDProblems(t, k)
}

func TestNothingIsSubmittedBeforeTheFirstPoll(t *testing.T) {
	defer check.Guard(t, exercise)
	k := newFake()
	_, ex := setup(t)
	check.BlockOn(t, ex, executor.Async(func(a *executor.Awaiter) int {
		if d, ok := Accept(k, listenFD).(executor.Dropper); ok {
			d.Drop()
		}
		return 0
	}))
	if len(k.all) != 0 || len(k.closes) != 0 {
		t.Errorf("an Accept future dropped before its first poll did something: the first poll submits; fake log:%s", k.Log())
	}
}

func TestDroppedInFlightAndCancelled(t *testing.T) {
	defer check.Guard(t, exercise)
	k := newFake()
	var op *fakeOp
	_, ex := setup(t)
	got := dropWhen(t, k, ex, func(o *fakeOp) { op = o })
	if !errors.Is(got.Res.Err, executor.ErrCancelled) {
		t.Fatalf("the cancelled acceptor's handle yielded %+v, want ErrCancelled; fake log:%s", got.Res, k.Log())
	}
	if op == nil || !op.cancelled {
		t.Fatalf("the acceptor was dropped with its accept in flight, but Drop did not Cancel it: the kernel goes on accepting for nobody; fake log:%s", k.Log())
	}
	// The cancel won: the op completes with -ECANCELED, no descriptor.
	check.Within(t, func() int { k.complete(op.id, -int32(syscall.ECANCELED)); return 0 })
	if len(k.closes) != 0 {
		t.Errorf("a cancelled accept that completed with -ECANCELED made the future close %v: there was no connection to close; fake log:%s", k.closes, k.Log())
	}
	noFDProblems(t, k)
}

func TestDroppedInFlightButTheConnectionCameFirst(t *testing.T) {
	defer check.Guard(t, exercise)
	k := newFake()
	var op *fakeOp
	_, ex := setup(t)
	got := dropWhen(t, k, ex, func(o *fakeOp) { op = o })
	if !errors.Is(got.Res.Err, executor.ErrCancelled) {
		t.Fatalf("the cancelled acceptor's handle yielded %+v, want ErrCancelled; fake log:%s", got.Res, k.Log())
	}
	if op == nil || !op.cancelled {
		t.Fatalf("the acceptor was dropped with its accept in flight, but Drop did not Cancel it; fake log:%s", k.Log())
	}
	// The cancel lost the race: a client had connected, and the kernel
	// completes the accept with a descriptor anyway.
	check.Within(t, func() int { k.complete(op.id, 9); return 0 })
	if k.closes[9] != 1 {
		t.Errorf("the cancelled accept completed anyway with descriptor 9, which was closed %d times, want once: "+
			"give Cancel an orphan function that closes a descriptor the late completion carries (res >= 0); fake log:%s", k.closes[9], k.Log())
	}
	noFDProblems(t, k)
}

func TestDroppedAfterTheCompletionBeforeTheResultWasCollected(t *testing.T) {
	defer check.Guard(t, exercise)
	k := newFake()
	_, ex := setup(t)
	// The client connects: the completion arrives and wakes the acceptor,
	// and the acceptor is cancelled before it runs again.
	got := dropWhen(t, k, ex, func(o *fakeOp) { k.complete(o.id, 11) })
	if !errors.Is(got.Res.Err, executor.ErrCancelled) {
		t.Fatalf("the cancelled acceptor's handle yielded %+v, want ErrCancelled; fake log:%s", got.Res, k.Log())
	}
	if k.closes[11] != 1 {
		t.Errorf("the acceptor was dropped after its accept completed with descriptor 11 but before it collected it; descriptor 11 was closed %d times, want once. "+
			"The op is no longer in flight, so Cancel has nothing to cancel and forgets the result: ask Result first, and close what it returns; fake log:%s", k.closes[11], k.Log())
	}
	noFDProblems(t, k)
}

// TestAMovedAcceptWakesTheTaskThatAwaitsItNow moves the accept to another
// task after its first poll (check.Handoff).
func TestAMovedAcceptWakesTheTaskThatAwaitsItNow(t *testing.T) {
	defer check.Guard(t, exercise)
	k := newFake()
	_, ex := setup(t,
		func() { k.complete(theOp(k).id, 8) },
		func() {
			check.Fail("the moved accept completed, but the task awaiting it now was never woken: the completion fired the waker given to Submit, whose task has moved on. " +
				"Pass Result the waker of every poll (cx.Waker()); fake log:" + k.Log())
		})
	ho := check.NewHandoff(Accept(k, listenFD), 1)
	if check.BlockOn(t, ex, ho.First()) {
		t.Fatal("the accept was ready at its first poll, before its completion")
	}
	if r := check.BlockOn(t, ex, ho.Second()); r.Err != nil || r.Value != 8 {
		t.Fatalf("the moved accept yielded %+v, want descriptor 8", r)
	}
}

// TestSpuriousPollsSubmitOnce polls the accept again and again before its
// completion (a sibling wakes the task: check.Jostle).
func TestSpuriousPollsSubmitOnce(t *testing.T) {
	defer check.Guard(t, exercise)
	k := newFake()
	_, ex := setup(t, func() { k.complete(theOp(k).id, 12) })
	got := check.BlockOn(t, ex, executor.Join2(Accept(k, listenFD), check.Jostle(6)))
	if len(k.all) != 1 {
		t.Fatalf("an accept polled 7 times before its completion submitted %d accepts, want 1: only the first poll submits; fake log:%s", len(k.all), k.Log())
	}
	if r := got.A; r.Err != nil || r.Value != 12 {
		t.Fatalf("the accept yielded %+v, want descriptor 12", r)
	}
	noFDProblems(t, k)
}

// TestDescriptorZeroIsAConnection: descriptor 0 is a descriptor like any
// other (a server started with stdin closed gets it for its first
// connection).
func TestDescriptorZeroIsAConnection(t *testing.T) {
	defer check.Guard(t, exercise)
	k := newFake()
	_, ex := setup(t, func() { k.complete(theOp(k).id, 0) })
	r := check.BlockOn(t, ex, Accept(k, listenFD))
	if r.Err != nil || r.Value != 0 {
		t.Fatalf("an accept that completed with descriptor 0 yielded %+v, want {Value:0}: only a negative result is an error", r)
	}
	// And a dropped accept whose late completion carries descriptor 0
	// must close it.
	k2 := newFake()
	var op *fakeOp
	_, ex2 := setup(t)
	dropWhen(t, k2, ex2, func(o *fakeOp) { op = o })
	if op == nil {
		t.Fatalf("the acceptor never submitted; fake log:%s", k2.Log())
	}
	check.Within(t, func() int { k2.complete(op.id, 0); return 0 })
	if k2.closes[0] != 1 {
		t.Errorf("a cancelled accept completed anyway with descriptor 0, which was closed %d times, want once: descriptor 0 is a connection too (res >= 0); fake log:%s", k2.closes[0], k2.Log())
	}
	noFDProblems(t, k2)
}

// TestACancelledAcceptThatFailedClosesNothing: the late completion of a
// cancelled accept is most often -ECANCELED; there is nothing to close.
func TestACancelledAcceptThatFailedClosesNothing(t *testing.T) {
	defer check.Guard(t, exercise)
	k := newFake()
	var op *fakeOp
	_, ex := setup(t)
	dropWhen(t, k, ex, func(o *fakeOp) { op = o })
	if op == nil {
		t.Fatalf("the acceptor never submitted; fake log:%s", k.Log())
	}
	check.Within(t, func() int { k.complete(op.id, -int32(syscall.ECANCELED)); return 0 })
	if len(k.closes) != 0 {
		t.Errorf("a cancelled accept completed with -ECANCELED, and CloseFD was called with %v: a negative result is an errno, not a descriptor; fake log:%s", k.closes, k.Log())
	}
}
