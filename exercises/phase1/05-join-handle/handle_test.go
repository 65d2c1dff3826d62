package joinhandle

import (
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	executor "asyncworkbook/phase1-executor"
	"asyncworkbook/phases/check"
	"asyncworkbook/phases/trace"
)

const exercise = "phase1/05-join-handle"

// await is a main task that awaits h, counting its polls.
type await[T any] struct {
	h     Handle[T]
	polls int
}

func (a *await[T]) Poll(cx *executor.Context) executor.Poll[executor.Result[T]] {
	a.polls++
	return a.h.Poll(cx)
}

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

// waitForever is Pending until dropped; it records polls and drops, and
// the goroutines they ran on.
type waitForever struct {
	polls   int
	pollG   uint64 // the goroutine of the last poll: the executor's
	dropG   atomic.Uint64
	dropped atomic.Bool
}

func (w *waitForever) Poll(cx *executor.Context) executor.Poll[int] {
	w.polls++
	w.pollG = check.GoroutineID()
	_ = cx.WakerFor("nobody (waits forever)")
	return executor.Pending[int]()
}

func (w *waitForever) Drop() {
	w.dropG.Store(check.GoroutineID())
	w.dropped.Store(true)
}

const escaped = "If the trace shows a \"panicked\" event, a panic escaped your task's Poll into the executor: recover it and hand it to the handle. " +
	"Otherwise: does the task wake its awaiter when it finishes, and does the handle keep the awaiter's waker?"

func newExec(t *testing.T) (*executor.Executor, *trace.Recorder) {
	rec := check.Recorder(t)
	return check.Executor(t, executor.WithSink(rec), executor.WithDriver(check.NoParking(escaped))), rec
}

func TestHandleYieldsTheTasksOutput(t *testing.T) {
	defer check.Guard(t, exercise)
	ex, rec := newExec(t)
	h := Spawn(ex, executor.Future[int](&yielder{yields: 3, v: 42}))
	main := &await[int]{h: h}
	r := check.BlockOn(t, ex, executor.Future[executor.Result[int]](main))
	if r.Err != nil || r.Value != 42 {
		t.Fatalf("the handle yielded %+v, want {Value:42 Err:<nil>}", r)
	}
	tr := check.Events(rec)
	mainID, _ := tr.TaskNamed("main")
	// Once to register, once when the task finished and woke it.
	if main.polls != 2 {
		t.Errorf("the awaiting task was polled %d times, want 2: it must sleep until the task finishes (keep its waker in the handle; the task wakes it when done), not poll in a loop", main.polls)
	}
	check.Count(t, tr, mainID, trace.WakerRegistered, 1, "the handle keeps the awaiter's waker when the task is not done")
}

func TestPanicInTheTaskBecomesTheHandlesError(t *testing.T) {
	defer check.Guard(t, exercise)
	ex, rec := newExec(t)
	boom := Spawn(ex, executor.PollFn(func(*executor.Context) executor.Poll[int] { panic("boom") }))
	fine := Spawn(ex, executor.Future[int](&yielder{yields: 1, v: 7}))
	both := check.BlockOn(t, ex, executor.Join2[executor.Result[int], executor.Result[int]](boom, fine))
	tr := check.Events(rec)
	check.None(t, tr, 0, trace.Panicked, "the panic escaped the task's Poll into the executor's own safety net: recover it in your task")
	var pe *executor.PanicError
	if !errors.As(both.A.Err, &pe) {
		t.Fatalf("the panicking task's handle yielded %+v, want an *executor.PanicError", both.A)
	}
	if pe.Value != "boom" {
		t.Errorf("PanicError.Value = %#v, want \"boom\" (the value passed to panic)", pe.Value)
	}
	if !strings.Contains(string(pe.Stack), "panic") {
		t.Errorf("PanicError.Stack does not look like the stack of the panic (use runtime/debug.Stack() in the deferred recover): %q", pe.Stack)
	}
	if both.B.Err != nil || both.B.Value != 7 {
		t.Errorf("a task next to the panicking one yielded %+v, want {Value:7}: one task's panic must not hurt the others", both.B)
	}
}

func TestCancelBeforeTheFirstPollNeverRunsTheFuture(t *testing.T) {
	defer check.Guard(t, exercise)
	ex, _ := newExec(t)
	f := &waitForever{}
	h := Spawn(ex, executor.Future[int](f))
	if !h.Cancel() {
		t.Fatal("Cancel of a task that never ran returned false (false means \"it had already finished\")")
	}
	r := check.BlockOn(t, ex, executor.Future[executor.Result[int]](h))
	if !errors.Is(r.Err, executor.ErrCancelled) {
		t.Fatalf("the cancelled task's handle yielded %+v, want Err executor.ErrCancelled", r)
	}
	if f.polls != 0 {
		t.Errorf("the future of a task cancelled before its first poll was polled %d times, want 0", f.polls)
	}
	if !f.dropped.Load() {
		t.Errorf("the future of a cancelled task was not dropped")
	}
}

func TestCancelFromAnotherGoroutineWakesTheWaitingTask(t *testing.T) {
	defer check.Guard(t, exercise)
	rec := check.Recorder(t)
	f := &waitForever{}
	var h Handle[int]
	var cancelled atomic.Bool
	var g *check.Group
	var driver *check.Driver
	driver = check.NewDriver(func(n int) {
		if n == 1 {
			// Everything waits: the task on a future that never wakes
			// it, main on the handle. Cancel from another goroutine,
			// then nudge the executor (a spurious unpark is harmless):
			// if nothing is ready then, it parks again.
			g = check.Go(1, func(int) {
				cancelled.Store(h.Cancel())
				driver.Unpark()
			})
			return
		}
		check.Fail("the executor went back to sleep after Cancel, with the cancelled task never polled again: " +
			"a waiting task is polled only when woken, so Cancel must wake it (the waker kept in self) to let it drop its future and finish.")
	})
	ex := check.Executor(t, executor.WithSink(rec), executor.WithDriver(driver))
	h = Spawn(ex, executor.Future[int](f))
	r := check.BlockOn(t, ex, executor.Future[executor.Result[int]](h))
	check.Within(t, func() struct{} { g.Wait(); return struct{}{} })
	if !cancelled.Load() {
		t.Errorf("Cancel of a waiting task returned false")
	}
	if !errors.Is(r.Err, executor.ErrCancelled) {
		t.Fatalf("the cancelled task's handle yielded %+v, want Err executor.ErrCancelled", r)
	}
	if !f.dropped.Load() {
		t.Errorf("the cancelled task's future was not dropped")
	}
	if f.polls != 1 {
		t.Errorf("the cancelled future was polled %d times, want 1 (before the cancel; never after)", f.polls)
	}
	if f.dropped.Load() && f.dropG.Load() != f.pollG {
		t.Errorf("the cancelled future was dropped on the goroutine that called Cancel (goroutine %d), not on the executor's (goroutine %d): a future belongs to the executor's goroutine, and its Drop may race its Poll there. Cancel only marks and wakes; the task drops its future in its next poll", f.dropG.Load(), f.pollG)
	}
	tr := check.Events(rec)
	taskID, _ := tr.TaskNamed("spawned")
	check.WokenBy(t, tr, taskID, trace.SourceGoroutine, 0)
}

func TestCancelAfterCompletionKeepsTheOutput(t *testing.T) {
	defer check.Guard(t, exercise)
	ex, _ := newExec(t)
	h := Spawn(ex, executor.Ready(7))
	r := check.BlockOn(t, ex, executor.Future[executor.Result[int]](h))
	if r.Value != 7 || r.Err != nil {
		t.Fatalf("the handle yielded %+v, want {Value:7}", r)
	}
	if h.Cancel() {
		t.Fatal("Cancel after the task completed returned true; want false (it had already finished)")
	}
	again := check.BlockOn(t, ex, executor.Future[executor.Result[int]](h))
	if again.Value != 7 || again.Err != nil {
		t.Fatalf("after a late Cancel the handle yields %+v, want {Value:7} still", again)
	}
}

func TestCancelDuringThePollWinsOverTheOutput(t *testing.T) {
	defer check.Guard(t, exercise)
	ex, _ := newExec(t)
	var h Handle[int]
	var cancelled bool
	h = Spawn(ex, executor.PollFn(func(*executor.Context) executor.Poll[int] {
		cancelled = h.Cancel() // e.g. another part of the program, mid-poll
		return executor.PollReady(1)
	}))
	r := check.BlockOn(t, ex, executor.Future[executor.Result[int]](h))
	if !cancelled {
		t.Fatal("Cancel of a running task returned false")
	}
	if !errors.Is(r.Err, executor.ErrCancelled) {
		t.Fatalf("Cancel returned true during the task's last poll, but the handle yielded %+v; want ErrCancelled: a true Cancel promises the task will not complete", r)
	}
}

// gate is Pending until opened from another goroutine; it wakes the
// newest waker it was given.
type gate struct {
	mu   sync.Mutex
	open bool
	w    executor.Waker
}

func (g *gate) Poll(cx *executor.Context) executor.Poll[int] {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.open {
		return executor.PollReady(42)
	}
	g.w = cx.WakerFor("gate (opened from another goroutine)")
	return executor.Pending[int]()
}

func (g *gate) openIt() {
	g.mu.Lock()
	g.open = true
	w := g.w
	g.mu.Unlock()
	w.Wake()
}

// TestTheHandleWakesItsNewestAwaiter moves a handle from one awaiting task
// to another between two polls (check.Handoff): the task must wake the
// one that awaits it now.
func TestTheHandleWakesItsNewestAwaiter(t *testing.T) {
	defer check.Guard(t, exercise)
	rec := check.Recorder(t)
	g := &gate{}
	var opener *check.Group
	driver := check.NewDriver(func(n int) {
		if n == 1 { // everybody waits: open the gate from another goroutine
			opener = check.Go(1, func(int) { g.openIt() })
			return
		}
		check.Fail("the task finished but the task now awaiting its handle was never woken: the handle woke the waker of its first poll, whose task had moved on. " +
			"Keep the waker of every poll of the handle (the newest), not only the first.")
	})
	ex := check.Executor(t, executor.WithSink(rec), executor.WithDriver(driver))
	h := Spawn(ex, executor.Future[int](g))
	ho := check.NewHandoff(executor.Future[executor.Result[int]](h), 1)
	if moved := check.BlockOn(t, ex, ho.First()); moved {
		t.Fatal("the handle was ready before its task could finish")
	}
	r := check.BlockOn(t, ex, ho.Second())
	check.Within(t, func() struct{} { opener.Wait(); return struct{}{} })
	if r.Value != 42 || r.Err != nil {
		t.Fatalf("the moved handle yielded %+v, want {Value:42}", r)
	}
}
