package await

import (
	"errors"
	"slices"
	"sync/atomic"
	"testing"

	"go.uber.org/goleak"

	executor "asyncworkbook/phase1-executor"
	"asyncworkbook/phases/check"
	"asyncworkbook/phases/trace"
)

const exercise = "phase1/06-await"

// yielder is Pending `yields` times (waking itself), then Ready with v.
type yielder struct {
	yields, polls int
	v             int
}

func (y *yielder) Poll(cx *executor.Context) executor.Poll[int] {
	y.polls++
	if y.polls > y.yields {
		return executor.PollReady(y.v)
	}
	cx.Wake(cx.WakerFor("yield (itself)"))
	return executor.Pending[int]()
}

// waitForever is Pending until dropped; it fails the run if it is polled
// in a loop (an Await that does not yield).
type waitForever struct {
	polls   atomic.Int64
	dropped atomic.Bool
	waker   executor.Waker
}

func (w *waitForever) Poll(cx *executor.Context) executor.Poll[int] {
	if w.polls.Add(1) >= 1000 {
		check.Fail("Await polled a Pending future 1000 times without giving the executor back: while the future is Pending, Await must suspend the coroutine (a.yield) so the task's Poll returns Pending")
	}
	w.waker = cx.WakerFor("outside (test)")
	return executor.Pending[int]()
}

func (w *waitForever) Drop() { w.dropped.Store(true) }

func traced(t *testing.T, opts ...executor.Option) (*executor.Executor, *trace.Recorder) {
	rec := check.Recorder(t)
	return check.Executor(t, append([]executor.Option{executor.WithSink(rec)}, opts...)...), rec
}

func TestAwaitReturnsTheValuesOfTheFutures(t *testing.T) {
	defer check.Guard(t, exercise)
	ex, rec := traced(t, executor.WithDriver(check.NoParking("Every future here wakes its task itself: is the Context passed to the awaited future the one of the current poll?")))
	got := check.BlockOn(t, ex, Async(func(a *Awaiter) int {
		x := Await(a, executor.Ready(1))
		y := Await(a, executor.Future[int](&yielder{yields: 2, v: 10}))
		z := Await(a, executor.Future[int](&yielder{yields: 1, v: 100}))
		return x + y + z
	}))
	if got != 111 {
		t.Fatalf("the async function returned %d, want 111", got)
	}
	// Each Pending suspends the task once: 2 + 1 Pending polls, 1 Ready.
	check.Polls(t, check.Events(rec), 1, 4)
}

func TestAwaitSuspendsTheTaskInsteadOfBlocking(t *testing.T) {
	defer check.Guard(t, exercise)
	ex, rec := traced(t)
	var log []string
	body := func(name string) executor.Future[int] {
		return Async(func(a *Awaiter) int {
			for range 3 {
				log = append(log, name)
				Await(a, executor.YieldNow())
			}
			return 0
		})
	}
	ha := executor.Spawn(ex, body("a"), executor.WithName("a"))
	hb := executor.Spawn(ex, body("b"), executor.WithName("b"))
	check.BlockOn(t, ex, executor.Join[executor.Result[int]](ha, hb))
	if want := []string{"a", "b", "a", "b", "a", "b"}; !slices.Equal(log, want) {
		t.Fatalf("two async tasks that each await YieldNow three times ran in the order %v, want %v: an Await on a Pending future must suspend the task and let the executor run the other one",
			log, want)
	}
	tr := check.Events(rec)
	check.Polls(t, tr, ha.ID(), 4)
	check.Polls(t, tr, hb.ID(), 4)
}

func TestAwaitSleepsUntilTheFutureIsWoken(t *testing.T) {
	defer check.Guard(t, exercise)
	w := &waitForever{}
	var fired atomic.Bool
	var g *check.Group
	driver := check.NewDriver(func(n int) {
		if n == 1 { // the executor sleeps: the outside world answers now
			fired.Store(true)
			waker := w.waker
			g = check.Go(1, func(int) { waker.Wake() })
		}
	})
	ex, rec := traced(t, executor.WithDriver(driver))
	got := check.BlockOn(t, ex, Async(func(a *Awaiter) int {
		for !fired.Load() {
			Await(a, executor.Future[int](&onePoll{w}))
		}
		return 5
	}))
	check.Within(t, func() struct{} { g.Wait(); return struct{}{} })
	if got != 5 {
		t.Fatalf("got %d, want 5", got)
	}
	tr := check.Events(rec)
	check.Polls(t, tr, 1, 2)
	check.WokenBy(t, tr, 1, trace.SourceGoroutine, 0)
	check.NoLostWakeups(t, tr)
}

// onePoll is Pending at its first poll (handing the waker to w) and Ready
// at the next.
type onePoll struct{ w *waitForever }

func (o *onePoll) Poll(cx *executor.Context) executor.Poll[int] {
	if o.w.polls.Load() > 0 && !o.w.waker.IsZero() {
		o.w.waker = executor.Waker{}
		return executor.PollReady(0)
	}
	return o.w.Poll(cx)
}

func TestCancellingASuspendedTaskStopsItsCoroutine(t *testing.T) {
	defer check.Guard(t, exercise)
	before := goleak.IgnoreCurrent()
	ex, rec := traced(t)
	forever := &waitForever{}
	var unwound, pastAwait atomic.Bool
	h := executor.Spawn(ex, Async(func(a *Awaiter) int {
		defer unwound.Store(true)
		Await(a, executor.Future[int](forever))
		pastAwait.Store(true)
		return 1
	}), executor.WithName("suspended"))
	// main: let the task start and suspend, then cancel it and await it.
	step := 0
	r := check.BlockOn(t, ex, executor.PollFn(func(cx *executor.Context) executor.Poll[executor.Result[int]] {
		step++
		if step == 1 {
			cx.Wake(cx.WakerFor("main (itself)"))
			return executor.Pending[executor.Result[int]]()
		}
		if step == 2 {
			h.Cancel()
		}
		return h.Poll(cx)
	}))
	if !errors.Is(r.Err, executor.ErrCancelled) {
		t.Fatalf("the cancelled task's handle yielded %+v, want ErrCancelled", r)
	}
	if pastAwait.Load() {
		t.Fatal("the cancelled task's function went on past its Await: a stopped coroutine must unwind, not continue")
	}
	if !unwound.Load() {
		t.Error("the cancelled task's defers did not run: Drop must stop the coroutine (stop()), and Await, seeing yield return false, must unwind it with panic(stopped{})")
	}
	if !forever.dropped.Load() {
		t.Error("the future the cancelled task was awaiting was not dropped: Await must call its Drop before unwinding")
	}
	check.Count(t, check.Events(rec), h.ID(), trace.Cancelled, 1, "the task was cancelled")
	goleak.VerifyNone(t, before)
}

func TestAsyncWithoutAPendingAwaitLeavesNoGoroutine(t *testing.T) {
	defer check.Guard(t, exercise)
	before := goleak.IgnoreCurrent()
	ex, _ := traced(t)
	// Never polled: it must not have started a coroutine.
	_ = Async(func(a *Awaiter) int { return Await(a, executor.Ready(1)) })
	// Polled to the end: its coroutine is over.
	got := check.BlockOn(t, ex, Async(func(a *Awaiter) int {
		return Await(a, executor.Future[int](&yielder{yields: 1, v: 3}))
	}))
	if got != 3 {
		t.Fatalf("got %d, want 3", got)
	}
	goleak.VerifyNone(t, before)
}

func TestPanicInAnAsyncFunctionReachesItsJoinHandle(t *testing.T) {
	defer check.Guard(t, exercise)
	ex, rec := traced(t)
	h := executor.Spawn(ex, Async(func(a *Awaiter) int {
		Await(a, executor.YieldNow())
		panic("boom")
	}), executor.WithName("boom"))
	r := check.BlockOn(t, ex, executor.Future[executor.Result[int]](h))
	var pe *executor.PanicError
	if !errors.As(r.Err, &pe) || pe.Value != "boom" {
		t.Fatalf("the handle of a task whose async function panicked yielded %+v, want a *PanicError with value \"boom\": only stopped{} may be recovered inside the coroutine", r)
	}
	check.Count(t, check.Events(rec), h.ID(), trace.Panicked, 1, "the executor saw the task panic")
}

func TestAwaitSurvivesSpuriousPolls(t *testing.T) {
	defer check.Guard(t, exercise)
	ex, _ := traced(t, executor.WithDriver(check.NoParking("Every future here wakes its own task.")))
	// A sibling wakes the task ten times while the awaited future needs
	// only three: most resumes find it still Pending, and Await must
	// look again, not return.
	got := check.BlockOn(t, ex, executor.Join2(Async(func(a *Awaiter) int {
		return Await(a, executor.Future[int](&yielder{yields: 3, v: 5}))
	}), check.Jostle(10)))
	if got.A != 5 {
		t.Fatalf("Await, resumed by a sibling's wakes while its future was still Pending, returned %d, want 5: a resume is not a promise that the future is ready; poll it again", got.A)
	}
}

func TestSelectStopsTheLosingCoroutine(t *testing.T) {
	defer check.Guard(t, exercise)
	before := goleak.IgnoreCurrent()
	ex, _ := traced(t)
	forever := &waitForever{}
	var unwound atomic.Bool
	loser := Async(func(a *Awaiter) int {
		defer unwound.Store(true)
		return Await(a, executor.Future[int](forever))
	})
	winner := Async(func(a *Awaiter) int { return Await(a, executor.Future[int](&yielder{yields: 1, v: 2})) })
	got := check.BlockOn(t, ex, executor.Select(loser, winner))
	if got.Index != 1 || got.Value != 2 {
		t.Fatalf("Select picked %+v, want the second future with 2", got)
	}
	if !unwound.Load() || !forever.dropped.Load() {
		t.Fatalf("Select dropped the losing async future, suspended in an Await, but its coroutine did not unwind (defers ran: %v) or its awaited future was not dropped (%v): Drop must stop the coroutine", unwound.Load(), forever.dropped.Load())
	}
	goleak.VerifyNone(t, before)
}
