package executor

import (
	"errors"
	"strings"
	"sync/atomic"
	"testing"

	"asyncworkbook/phases/trace"
)

// Tests for issue 7: completion wins over a late cancel, outputs nobody
// takes are released, a cancelled coroutine's cleanup runs, a panicking
// poll is traced as panicked, and a driver can fail.

// TestPanickingPollEndsAsPanickedNotPending: the trace of a poll that
// panics goes poll-started … panicked, with no poll-ended pending between
// (which the visualiser would flag as a lost wakeup).
func TestPanickingPollEndsAsPanickedNotPending(t *testing.T) {
	rec := trace.NewRecorder(256)
	ex := New(WithSink(rec))
	defer ex.Close()
	h := Spawn(ex, PollFn(func(*Context) Poll[int] { return PollReady(panicky()) }))
	if _, err := BlockOn(ex, Future[Result[int]](h)); err != nil {
		t.Fatal(err)
	}
	if n := countKind(rec.Events(), h.ID(), trace.PollEnded); n != 0 {
		t.Fatalf("%d poll-ended events for the panicking task, want 0:%s", n, dump(rec.Events()))
	}
	if n := countKind(rec.Events(), h.ID(), trace.Panicked); n != 1 {
		t.Fatalf("%d panicked events, want 1:%s", n, dump(rec.Events()))
	}
}

// resource is an output that owns something: Release counts.
type resource struct{ released *atomic.Int32 }

func (r resource) Release() { r.released.Add(1) }

// TestCompletionWinsOverACancelDuringTheFinalPoll: Cancel called while the
// task is inside the poll that returns Ready does not discard the output
// nor Drop a future that completed; the handle yields the output.
func TestCompletionWinsOverACancelDuringTheFinalPoll(t *testing.T) {
	ex := New()
	defer ex.Close()
	var h JoinHandle[int]
	dropped := false
	f := &dropSpy{poll: func(cx *Context) Poll[int] {
		h.Cancel() // a cancel that arrives while the final poll runs
		return PollReady(7)
	}, dropped: &dropped}
	h = Spawn(ex, Future[int](f))
	r, err := BlockOn(ex, Future[Result[int]](h))
	if err != nil {
		t.Fatal(err)
	}
	if r.Err != nil || r.Value != 7 {
		t.Fatalf("handle yielded %+v; want {7 <nil>}: the completion must win", r)
	}
	if dropped {
		t.Fatal("Drop was called on a future that returned Ready")
	}
	if h.Cancel() {
		t.Fatal("Cancel after the completion reported the task as cancelled")
	}
}

type dropSpy struct {
	poll    func(cx *Context) Poll[int]
	dropped *bool
}

func (d *dropSpy) Poll(cx *Context) Poll[int] { return d.poll(cx) }
func (d *dropSpy) Drop()                      { *d.dropped = true }

// TestUnclaimedOutputsAreReleased: an output that owns a resource is
// released when nobody will take it — the handle was dropped or detached
// before or after the task completed — and kept when someone will.
func TestUnclaimedOutputsAreReleased(t *testing.T) {
	cases := []struct {
		name        string
		run         func(ex *Executor, out Future[resource]) error
		wantRelease int32
	}{
		{"handle dropped during the final poll", func(ex *Executor, out Future[resource]) error {
			var h JoinHandle[resource]
			h = Spawn(ex, Future[resource](PollFn(func(cx *Context) Poll[resource] {
				h.Drop()
				return out.Poll(cx)
			})))
			_, err := BlockOn(ex, YieldNow())
			return err
		}, 1},
		{"detached before completion", func(ex *Executor, out Future[resource]) error {
			Spawn(ex, out).Detach()
			_, err := BlockOn(ex, YieldNow())
			return err
		}, 1},
		{"handle dropped after completion", func(ex *Executor, out Future[resource]) error {
			h := Spawn(ex, out)
			_, err := BlockOn(ex, YieldNow())
			h.Drop()
			return err
		}, 1},
		{"Result of a Result forwards Release", func(ex *Executor, out Future[resource]) error {
			h := Spawn(ex, Future[Result[resource]](PollFn(func(cx *Context) Poll[Result[resource]] {
				v, _ := out.Poll(cx).Value()
				return PollReady(Result[resource]{Value: v})
			})))
			_, err := BlockOn(ex, YieldNow())
			h.Detach()
			return err
		}, 1},
		{"Join dropped with a finished child", func(ex *Executor, out Future[resource]) error {
			never := PollFn(func(cx *Context) Poll[resource] { return Pending[resource]() })
			h := Spawn(ex, Join(out, never))
			_, err := BlockOn(ex, YieldNow())
			h.Cancel()
			_, err2 := BlockOn(ex, YieldNow())
			return errors.Join(err, err2)
		}, 1},
		{"awaited handle keeps it", func(ex *Executor, out Future[resource]) error {
			h := Spawn(ex, out)
			r, err := BlockOn(ex, Future[Result[resource]](h))
			if r.Err != nil {
				return r.Err
			}
			return err
		}, 0},
		{"cancelled (not dropped) handle keeps it for its holder", func(ex *Executor, out Future[resource]) error {
			var h JoinHandle[resource]
			h = Spawn(ex, Future[resource](PollFn(func(cx *Context) Poll[resource] {
				h.Cancel()
				return out.Poll(cx)
			})))
			r, err := BlockOn(ex, Future[Result[resource]](h))
			if r.Err != nil {
				return r.Err
			}
			return err
		}, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ex := New()
			var n atomic.Int32
			if err := c.run(ex, Ready(resource{&n})); err != nil {
				t.Fatal(err)
			}
			ex.Close()
			if got := n.Load(); got != c.wantRelease {
				t.Fatalf("Release called %d times, want %d", got, c.wantRelease)
			}
		})
	}
}

// closer is a cleanup future: Close-like. Polled, it closes; dropped
// before its first poll it closes too (what File.Close does).
type closer struct{ closed *atomic.Int32 }

func (c closer) Poll(*Context) Poll[int] { c.closed.Add(1); return PollReady(0) }
func (c closer) Drop()                   { c.closed.Add(1) }

// TestAwaitInADeferOfACancelledCoroutineDropsItsFuture: the demos'
// cleanup idiom, defer func() { Await(a, f.Close()) }(), runs while a
// cancelled coroutine unwinds. Nothing can be awaited then: Await drops
// the future (which, for Close, still closes) and the unwinding goes on,
// with no panic swallowed.
func TestAwaitInADeferOfACancelledCoroutineDropsItsFuture(t *testing.T) {
	ex := New()
	defer ex.Close()
	var closed atomic.Int32
	forever := &parkedFuture{}
	h := Spawn(ex, Async(func(a *Awaiter) int {
		defer func() { Await(a, Future[int](closer{&closed})) }()
		return Await(a, Future[int](forever))
	}))
	if _, err := BlockOn(ex, YieldNow()); err != nil {
		t.Fatal(err)
	}
	h.Cancel()
	if _, err := BlockOn(ex, YieldNow()); err != nil {
		t.Fatal(err)
	}
	if closed.Load() != 1 {
		t.Fatalf("the cleanup future ran %d times, want 1", closed.Load())
	}
	if s := ex.Stats(); s.UnwindPanics != 0 {
		t.Fatalf("a panic was raised while unwinding: %v", s.LastUnhandled)
	}
}

// TestPanicWhileUnwindingIsSurfaced: a panic in a deferred function of a
// cancelled coroutine, or in a Drop, is counted and traced, not lost.
func TestPanicWhileUnwindingIsSurfaced(t *testing.T) {
	rec := trace.NewRecorder(256)
	ex := New(WithSink(rec))
	defer ex.Close()
	forever := &parkedFuture{}
	h := Spawn(ex, Async(func(a *Awaiter) int {
		defer func() { panic("cleanup failed") }()
		return Await(a, Future[int](forever))
	}))
	h2 := Spawn(ex, Future[int](&dropSpy{poll: func(*Context) Poll[int] { return Pending[int]() }}))
	if _, err := BlockOn(ex, YieldNow()); err != nil {
		t.Fatal(err)
	}
	h.Cancel()
	if _, err := BlockOn(ex, YieldNow()); err != nil {
		t.Fatal(err)
	}
	_ = h2
	s := ex.Stats()
	if s.UnwindPanics != 1 || s.LastUnhandled == nil || !strings.Contains(s.LastUnhandled.Error(), "cleanup failed") {
		t.Fatalf("Stats = %+v; want one unwind panic saying \"cleanup failed\"", s)
	}
	found := false
	for _, e := range rec.Events() {
		if e.Task == h.ID() && e.Kind == trace.Panicked && strings.Contains(e.Note, "cleanup failed") {
			found = true
		}
	}
	if !found {
		t.Fatalf("no panicked event for the unwinding task:%s", dump(rec.Events()))
	}
}

// failingDriver parks once, then reports a fatal error.
type failingDriver struct {
	ChanDriver
	err error
}

func (d *failingDriver) Park() string { d.err = errors.New("ring gone"); return "enter failed" }
func (d *failingDriver) Err() error   { return d.err }

// TestFailingDriverStopsBlockOnWithItsError: a driver that reports a
// fatal error ends BlockOn with it instead of spinning.
func TestFailingDriverStopsBlockOnWithItsError(t *testing.T) {
	d := &failingDriver{ChanDriver: *NewChanDriver()}
	ex := New(WithDriver(d))
	defer ex.Close()
	_, err := BlockOn(ex, Future[int](&parkedFuture{}))
	if err == nil || !strings.Contains(err.Error(), "ring gone") {
		t.Fatalf("BlockOn = %v; want the driver's error", err)
	}
	if ex.Stats().Parks > 1 {
		t.Fatalf("parked %d times after the driver failed", ex.Stats().Parks)
	}
	if _, err := BlockOn(ex, Ready(1)); err == nil {
		t.Fatal("BlockOn on an executor whose driver failed succeeded")
	}
}
