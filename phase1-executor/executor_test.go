package executor

import (
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"go.uber.org/goleak"

	"asyncworkbook/phases/trace"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// parkedFuture returns Pending until released (as seen at the start of a
// poll), keeping the waker of its last pending poll in lastWake.
type parkedFuture struct {
	polls    int
	release  atomic.Bool
	lastWake Waker
	onPoll   func(cx *Context)
}

func (p *parkedFuture) Poll(cx *Context) Poll[int] {
	p.polls++
	release := p.release.Load()
	if p.onPoll != nil {
		p.onPoll(cx)
	}
	if release {
		return PollReady(p.polls)
	}
	p.lastWake = cx.WakerFor("test")
	return Pending[int]()
}

// recorded runs with a recorder and returns what it saw of one task.
func countKind(evs []trace.Event, task uint64, k trace.Kind) int {
	n := 0
	for _, e := range evs {
		if e.Task == task && e.Kind == k {
			n++
		}
	}
	return n
}

func dump(evs []trace.Event) string {
	var b strings.Builder
	for _, e := range evs {
		b.WriteString("\n\t" + e.String())
	}
	return b.String()
}

func TestWakerFiredManyTimesWhileQueuedQueuesOnce(t *testing.T) {
	rec := trace.NewRecorder(1 << 12)
	ex := New(WithSink(rec))
	defer ex.Close()
	pf := &parkedFuture{}
	h := Spawn(ex, Future[int](pf), WithName("parked"))
	// First run: the task polls once and parks with its waker handed out.
	if _, err := BlockOn(ex, YieldNow()); err != nil {
		t.Fatal(err)
	}
	if pf.polls != 1 {
		t.Fatalf("after the first run the task was polled %d times, want 1", pf.polls)
	}
	// Fire the waker 8×100 times from 8 goroutines while nothing runs the
	// executor: the task must land in the wake list exactly once.
	pf.release.Store(true)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 100 {
				pf.lastWake.Wake()
			}
		})
	}
	wg.Wait()
	queued := 0
	for tk := ex.wakes.head.Load(); tk != nil; tk = tk.next {
		queued++
	}
	if queued != 1 {
		t.Fatalf("800 wakes put the task in the wake list %d times, want 1", queued)
	}
	r, err := BlockOn(ex, Future[Result[int]](h))
	if err != nil || r.Err != nil || r.Value != 2 {
		t.Fatalf("BlockOn(handle) = %v, %v; want the task's second poll (2)", r, err)
	}
	evs := rec.Events()
	if n := countKind(evs, h.ID(), trace.PollStarted); n != 2 {
		t.Errorf("task polled %d times, want 2:%s", n, dump(evs))
	}
	if n := countKind(evs, h.ID(), trace.Queued); n != 1 {
		t.Errorf("task queued %d times by wakes, want 1:%s", n, dump(evs))
	}
}

func TestWakeDuringPollRunsTheTaskAgain(t *testing.T) {
	pf := &parkedFuture{}
	pf.onPoll = func(cx *Context) {
		if pf.polls == 1 {
			// Fire our own waker from another goroutine while this poll
			// is still running, and wait until it has fired.
			w := cx.Waker()
			done := make(chan struct{})
			go func() { w.Wake(); close(done) }()
			<-done
			pf.release.Store(true) // the re-poll will be ready
		}
	}
	n, err := Run(Future[int](pf))
	if err != nil || n != 2 {
		t.Fatalf("Run = %d, %v; want ready on the second poll (2): a wake during a poll was lost", n, err)
	}
}

func TestWakeAfterCompletionDoesNothing(t *testing.T) {
	ex := New()
	defer ex.Close()
	var w Waker
	_, err := BlockOn(ex, PollFn(func(cx *Context) Poll[int] {
		w = cx.Waker()
		return PollReady(1)
	}))
	if err != nil {
		t.Fatal(err)
	}
	before := w.t.state.Load()
	w.Wake()
	w.WakeBy(trace.SourceTimer)
	if !ex.wakes.empty() {
		t.Fatal("a wake after completion queued the finished task")
	}
	if after := w.t.state.Load(); after != before {
		t.Fatalf("a wake after completion changed the state word: %05b → %05b", before, after)
	}
}

func TestWakersFromManyGoroutinesAreRaceFree(t *testing.T) {
	const goroutines, wakes = 8, 500
	var polls atomic.Int64
	var stop atomic.Bool
	ready := make(chan Waker, 1)
	task := PollFn(func(cx *Context) Poll[int64] {
		n := polls.Add(1)
		if stop.Load() {
			return PollReady(n)
		}
		if n == 1 {
			ready <- cx.Waker()
		}
		return Pending[int64]()
	})
	ex := New()
	defer ex.Close()
	h := Spawn(ex, task)
	go func() {
		w := <-ready
		var wg sync.WaitGroup
		for range goroutines {
			wg.Go(func() {
				for range wakes {
					w.Wake()
				}
			})
		}
		wg.Wait()
		stop.Store(true)
		w.Wake()
	}()
	r, err := BlockOn(ex, Future[Result[int64]](h))
	if err != nil || r.Err != nil {
		t.Fatal(err, r.Err)
	}
	if r.Value < 2 || r.Value > goroutines*wakes+2 {
		t.Fatalf("task polled %d times; want between 2 and %d", r.Value, goroutines*wakes+2)
	}
}

func TestCancelBeforeFirstPollNeverPolls(t *testing.T) {
	ex := New()
	defer ex.Close()
	polled := false
	h := Spawn(ex, PollFn(func(*Context) Poll[int] { polled = true; return PollReady(1) }))
	if !h.Cancel() {
		t.Fatal("Cancel of a task that never ran reported it had completed")
	}
	r, err := BlockOn(ex, Future[Result[int]](h))
	if err != nil {
		t.Fatal(err)
	}
	if !errors.Is(r.Err, ErrCancelled) {
		t.Fatalf("handle yielded %v, want ErrCancelled", r.Err)
	}
	if polled {
		t.Fatal("a task cancelled before its first poll was polled")
	}
}

func TestCancelWhilePendingStopsTheCoroutine(t *testing.T) {
	rec := trace.NewRecorder(256)
	ex := New(WithSink(rec))
	defer ex.Close()
	var unwound, afterAwait atomic.Bool
	forever := &parkedFuture{}
	h := Spawn(ex, Async(func(a *Awaiter) int {
		defer unwound.Store(true)
		Await(a, Future[int](forever))
		afterAwait.Store(true)
		return 1
	}))
	r, err := BlockOn(ex, Async(func(a *Awaiter) Result[int] {
		Await(a, YieldNow()) // let the coroutine start and park
		h.Cancel()
		return Await(a, Future[Result[int]](h))
	}))
	if err != nil {
		t.Fatal(err)
	}
	if !errors.Is(r.Err, ErrCancelled) {
		t.Fatalf("handle yielded %v, want ErrCancelled", r.Err)
	}
	if !unwound.Load() || afterAwait.Load() {
		t.Fatalf("coroutine unwound=%v, ran past its Await=%v; want true, false", unwound.Load(), afterAwait.Load())
	}
	if n := countKind(rec.Events(), h.ID(), trace.Cancelled); n != 1 {
		t.Fatalf("%d cancelled events for the task, want 1:%s", n, dump(rec.Events()))
	}
	// goleak in TestMain checks that the coroutine's goroutine is gone.
}

func TestCancelAfterCompletionKeepsTheOutput(t *testing.T) {
	ex := New()
	defer ex.Close()
	h := Spawn(ex, Ready(7))
	if _, err := BlockOn(ex, Future[Result[int]](h)); err != nil {
		t.Fatal(err)
	}
	if h.Cancel() {
		t.Fatal("Cancel after completion reported the task as cancelled")
	}
	if r, ok := h.Result(); !ok || r.Value != 7 || r.Err != nil {
		t.Fatalf("Result() = %v, %v; want {7 <nil>}, true", r, ok)
	}
}

var errBoom = errors.New("boom")

func panicky() int { panic(errBoom) }

func TestPanicBecomesAnErrorAndOthersKeepRunning(t *testing.T) {
	for _, style := range []string{"hand-written", "coroutine"} {
		t.Run(style, func(t *testing.T) {
			ex := New()
			defer ex.Close()
			var bad Future[int] = PollFn(func(*Context) Poll[int] { return PollReady(panicky()) })
			if style == "coroutine" {
				bad = Async(func(a *Awaiter) int {
					Await(a, YieldNow())
					return panicky()
				})
			}
			hb := Spawn(ex, bad)
			hg := Spawn(ex, Async(func(a *Awaiter) int {
				for range 3 {
					Await(a, YieldNow())
				}
				return 42
			}))
			out, err := BlockOn(ex, Join(Future[Result[int]](hb), Future[Result[int]](hg)))
			if err != nil {
				t.Fatalf("the executor itself failed: %v", err)
			}
			var pe *PanicError
			if !errors.As(out[0].Err, &pe) {
				t.Fatalf("panicking task yielded %v, want a *PanicError", out[0].Err)
			}
			if pe.Task != hb.ID() || !strings.Contains(pe.Error(), "boom") || !errors.Is(out[0].Err, errBoom) {
				t.Errorf("PanicError = %v (task %d), want task %d wrapping the panic value", pe, pe.Task, hb.ID())
			}
			if !strings.Contains(string(pe.Stack), "panicky") {
				t.Errorf("stack does not show where the task panicked:\n%s", pe.Stack)
			}
			if out[1].Err != nil || out[1].Value != 42 {
				t.Errorf("healthy task yielded %v, want 42: the panic stopped the executor", out[1])
			}
		})
	}
}

func TestSpawnFromOutsideAndInside(t *testing.T) {
	ex := New()
	defer ex.Close()
	outside := Spawn(ex, Ready("outside"))
	got, err := BlockOn(ex, Async(func(a *Awaiter) string {
		inside := SpawnLocal(a.Context(), Ready("inside"))
		// A spawn from another goroutine while the executor runs.
		hc := make(chan JoinHandle[string], 1)
		go func() { hc <- Spawn(ex, Ready("goroutine")) }()
		fromGoroutine := <-hc // blocking a poll is fine in a test
		rs := Await(a, Join[Result[string]](outside, inside, fromGoroutine))
		return rs[0].Value + "," + rs[1].Value + "," + rs[2].Value
	}))
	if err != nil || got != "outside,inside,goroutine" {
		t.Fatalf("BlockOn = %q, %v", got, err)
	}
}

func TestIdleExecutorParksInsteadOfSpinning(t *testing.T) {
	pf := &parkedFuture{}
	parked := make(chan struct{}, 1)
	sink := trace.SinkFunc(func(e *trace.Event) {
		if e.Kind == trace.Parked {
			select {
			case parked <- struct{}{}:
			default:
			}
		}
	})
	ex := New(WithSink(sink))
	defer ex.Close()
	go func() {
		<-parked // the executor is about to sleep in its driver
		pf.release.Store(true)
		pf.lastWake.Wake()
	}()
	if _, err := BlockOn(ex, Future[int](pf)); err != nil {
		t.Fatal(err)
	}
	// Turn 1 polls main (Pending) and parks; the wake unparks turn 2, which
	// polls main to completion. A spinning loop would have turned more.
	if s := ex.Stats(); s.Turns != 2 || s.Parks != 1 || s.Polls != 2 {
		t.Fatalf("Stats = %+v; want 2 turns, 1 park, 2 polls", s)
	}
}

func TestJoinWaitsForAllInOrder(t *testing.T) {
	got, err := Run(Join(
		Async(func(a *Awaiter) int { Await(a, YieldNow()); Await(a, YieldNow()); return 1 }),
		Ready(2),
		Async(func(a *Awaiter) int { Await(a, YieldNow()); return 3 }),
	))
	if err != nil || len(got) != 3 || got[0] != 1 || got[1] != 2 || got[2] != 3 {
		t.Fatalf("Join = %v, %v; want [1 2 3]", got, err)
	}
}

func TestSelectCancelsTheLosers(t *testing.T) {
	ex := New()
	defer ex.Close()
	var loserUnwound atomic.Bool
	res, err := BlockOn(ex, Async(func(a *Awaiter) Selected[Result[int]] {
		slow := SpawnLocal(a.Context(), Async(func(a *Awaiter) int {
			defer loserUnwound.Store(true)
			Await(a, Future[int](&parkedFuture{}))
			return 1
		}))
		fast := SpawnLocal(a.Context(), Ready(2))
		return Await(a, Select[Result[int]](slow, fast))
	}))
	if err != nil || res.Index != 1 || res.Value.Value != 2 {
		t.Fatalf("Select = %+v, %v; want index 1, value 2", res, err)
	}
	// The loser was cancelled; running the executor once more lets it drop
	// the loser's future on its goroutine.
	if _, err := BlockOn(ex, YieldNow()); err != nil {
		t.Fatal(err)
	}
	if !loserUnwound.Load() {
		t.Fatal("the losing task's coroutine was not stopped")
	}
}

func TestSleepIsWokenByItsTimer(t *testing.T) {
	rec := trace.NewRecorder(256)
	_, err := Run(Sleep(1), WithSink(rec))
	if err != nil {
		t.Fatal(err)
	}
	var woken *trace.Event
	for _, e := range rec.Events() {
		if e.Kind == trace.Woken {
			woken = &e
		}
	}
	if woken == nil || woken.By != trace.SourceTimer {
		t.Fatalf("want a wake by the timer, got:%s", dump(rec.Events()))
	}
}

func TestSpawnOnClosedExecutorFails(t *testing.T) {
	ex := New()
	ex.Close()
	h := Spawn(ex, Ready(1))
	if r, ok := h.Result(); !ok || !errors.Is(r.Err, ErrClosed) {
		t.Fatalf("spawn after Close: Result() = %v, %v; want ErrClosed", r, ok)
	}
	if _, err := BlockOn(ex, Ready(1)); !errors.Is(err, ErrClosed) {
		t.Fatalf("BlockOn after Close = %v, want ErrClosed", err)
	}
}

func TestCloseDropsPendingTasks(t *testing.T) {
	ex := New()
	var unwound atomic.Bool
	h := Spawn(ex, Async(func(a *Awaiter) int {
		defer unwound.Store(true)
		return Await(a, Future[int](&parkedFuture{}))
	}))
	if _, err := BlockOn(ex, YieldNow()); err != nil {
		t.Fatal(err)
	}
	ex.Close()
	if r, ok := h.Result(); !ok || !errors.Is(r.Err, ErrCancelled) {
		t.Fatalf("after Close the pending task's handle = %v, %v; want ErrCancelled", r, ok)
	}
	if !unwound.Load() {
		t.Fatal("Close did not stop the pending coroutine")
	}
}

func TestAwaitOutsideItsCoroutinePanicsClearly(t *testing.T) {
	var a Awaiter
	defer func() {
		r := recover()
		if s, _ := r.(string); !strings.Contains(s, "outside the Async function") {
			t.Fatalf("recovered %v, want a clear message", r)
		}
	}()
	Await(&a, Ready(1))
}
