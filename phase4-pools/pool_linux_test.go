//go:build linux

package pools

import (
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	executor "asyncworkbook/phase1-executor"
	iouring "asyncworkbook/phase2-iouring"
)

func newPool(t *testing.T, p Placement, o Options) *Pool {
	t.Helper()
	pool, err := New(p, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pool.Shutdown(time.Second) })
	return pool
}

func twoCPUs(t *testing.T) {
	t.Helper()
	if a, err := Affinity(); err != nil || a.Len() < 2 {
		t.Skipf("needs 2 CPUs in the affinity mask (have %v, %v)", a, err)
	}
}

// await runs f as a task on executor i and returns its output.
func await[T any](t *testing.T, p *Pool, i int, f executor.Future[T]) T {
	t.Helper()
	h, err := Spawn(p, i, f)
	if err != nil {
		t.Fatal(err)
	}
	out := make(chan executor.Result[T], 1)
	go func() {
		// A JoinHandle is a future: wait for it on a throwaway executor.
		r, err := executor.Run(executor.Future[executor.Result[T]](h))
		if err == nil {
			err = r.Err
		}
		out <- executor.Result[T]{Value: r.Value, Err: err}
	}()
	r := <-out
	if r.Err != nil {
		t.Fatalf("task on executor %d: %v", i, r.Err)
	}
	return r.Value
}

type whereRan struct {
	tid  int
	cpus CPUSet
	id   int
}

func where(p *Pool) executor.Future[whereRan] {
	return executor.PollFn(func(cx *executor.Context) executor.Poll[whereRan] {
		a, _ := Affinity()
		return executor.PollReady(whereRan{tid: unix.Gettid(), cpus: a, id: p.Current(cx).ID()})
	})
}

func TestExecutorsRunOnTheirOwnPinnedThreads(t *testing.T) {
	twoCPUs(t)
	p := newPool(t, MaxSpread(2), Options{})
	for i := range 2 {
		e := p.Executor(i)
		// A coroutine too: iter.Pull's coroutines stay on the locked thread.
		w := await(t, p, i, executor.Async(func(a *executor.Awaiter) whereRan {
			executor.Await(a, executor.YieldNow())
			return executor.Await(a, where(p))
		}))
		if w.tid != e.ThreadID() || !w.cpus.Equal(e.CPUs()) || e.CPUs().Len() != 1 || w.id != i {
			t.Errorf("executor %d: task ran on thread %d with affinity %v; the executor's thread is %d, pinned to %v", i, w.tid, w.cpus, e.ThreadID(), e.CPUs())
		}
	}
	if p.Executor(0).ThreadID() == p.Executor(1).ThreadID() {
		t.Error("two executors on one thread")
	}
}

// slow is ready at its third poll and counts how many are running at once
// on the executor that polls it (one goroutine: a plain counter).
type slow struct {
	p             *Pool
	wrong         *atomic.Int64
	polls         int
	running, peak *int
	v             int
}

func (s *slow) Poll(cx *executor.Context) executor.Poll[int] {
	if s.polls == 0 {
		if s.p.Current(cx).ID() != 1 {
			s.wrong.Add(1)
		}
		*s.running++
		*s.peak = max(*s.peak, *s.running)
	}
	s.polls++
	if s.polls < 3 {
		cx.Wake(cx.Waker())
		return executor.Pending[int]()
	}
	*s.running--
	return executor.PollReady(s.v)
}

func TestSubmitToRunsOnTheDestinationWithinTheInFlightBound(t *testing.T) {
	twoCPUs(t)
	const bound, n = 8, 2000
	p := newPool(t, MaxSpread(2), Options{MaxInFlight: bound})
	var running, peak int // touched only on executor 1
	var wrongPlace atomic.Int64
	sum := await(t, p, 0, executor.Async(func(a *executor.Awaiter) int {
		fs := make([]executor.Future[executor.Result[int]], n)
		for i := range fs {
			fs[i] = executor.Async(func(a *executor.Awaiter) executor.Result[int] {
				v := executor.Await(a, SubmitTo(p, 1, func() executor.Future[int] {
					return &slow{p: p, wrong: &wrongPlace, running: &running, peak: &peak, v: i}
				}))
				return v
			})
		}
		total := 0
		for _, r := range executor.Await(a, executor.Join(fs...)) {
			if r.Err != nil {
				t.Errorf("SubmitTo: %v", r.Err)
			}
			total += r.Value
		}
		return total
	}))
	if want := n * (n - 1) / 2; sum != want {
		t.Fatalf("sum of answers = %d, want %d: answers lost or mixed up", sum, want)
	}
	if peak > bound || peak < bound {
		t.Fatalf("at most %d requests ran at once on the destination; the bound is %d (exceeded, or never reached with %d submitted at once)", peak, bound, n)
	}
	if wrongPlace.Load() != 0 {
		t.Fatalf("%d submitted tasks ran off their destination", wrongPlace.Load())
	}
	rep := p.Shutdown(time.Second)
	if rep.Executors[0].Sent[1] != n || rep.Executors[1].Sent[0] != n {
		t.Errorf("messages 0→1 %d and 1→0 %d, want %d each (a request and an answer per SubmitTo)", rep.Executors[0].Sent[1], rep.Executors[1].Sent[0], n)
	}
}

func TestShutdownLetsAcknowledgedWorkFinish(t *testing.T) {
	twoCPUs(t)
	p := newPool(t, MaxSpread(2), Options{})
	var done atomic.Int64
	const n = 200
	for i := range n {
		from := i % 2
		_, err := Spawn(p, from, executor.Async(func(a *executor.Awaiter) struct{} {
			r := executor.Await(a, SubmitTo(p, 1-from, func() executor.Future[executor.Result[struct{}]] {
				return iouring.Sleep(p.Executor(1-from).Reactor(), time.Millisecond)
			}))
			if r.Err != nil || r.Value.Err != nil {
				t.Errorf("SubmitTo: %v %v", r.Err, r.Value.Err)
			}
			done.Add(1)
			return struct{}{}
		}))
		if err != nil {
			t.Fatal(err)
		}
	}
	rep := p.Shutdown(30 * time.Second)
	if done.Load() != n {
		t.Fatalf("%d of %d acknowledged tasks finished before Shutdown returned:\n%s", done.Load(), n, rep)
	}
	var completed, cancelled uint64
	for _, e := range rep.Executors {
		completed += e.Completed
		cancelled += e.Cancelled
		if !e.Drained {
			t.Errorf("executor %d not drained:\n%s", e.ID, rep)
		}
	}
	if completed != 2*n || cancelled != 0 {
		t.Fatalf("report: %d completed (want %d: each task and its submitted sleep), %d cancelled:\n%s", completed, 2*n, cancelled, rep)
	}
	if _, err := Spawn(p, 0, executor.Ready(1)); !errors.Is(err, ErrShutdown) {
		t.Fatalf("Spawn after Shutdown: %v, want ErrShutdown", err)
	}
}

func TestShutdownDeadlineCancelsWhatIsLeftAndSaysSo(t *testing.T) {
	p := newPool(t, Unbound(1), Options{})
	started := make(chan struct{})
	_, err := Spawn(p, 0, executor.PollFn(func(cx *executor.Context) executor.Poll[int] {
		select {
		case <-started:
		default:
			close(started)
		}
		return executor.Pending[int]() // never ready, never woken
	}))
	if err != nil {
		t.Fatal(err)
	}
	<-started
	rep := p.Shutdown(20 * time.Millisecond)
	e := rep.Executors[0]
	if e.Cancelled != 1 || e.Drained || !strings.Contains(rep.String(), "1 cancelled, deadline passed") {
		t.Fatalf("report after the deadline: %+v\n%s", e, rep)
	}
}

func TestAPanicInASubmittedTaskIsAnErrorAndThePoolGoesOn(t *testing.T) {
	twoCPUs(t)
	p := newPool(t, MaxSpread(2), Options{})
	got := await(t, p, 0, executor.Async(func(a *executor.Awaiter) []executor.Result[int] {
		bad := executor.Await(a, SubmitTo(p, 1, func() executor.Future[int] {
			return executor.PollFn(func(*executor.Context) executor.Poll[int] { panic("boom") })
		}))
		good := executor.Await(a, SubmitTo(p, 1, func() executor.Future[int] { return executor.Ready(42) }))
		return []executor.Result[int]{bad, good}
	}))
	if got[0].Err == nil || !strings.Contains(got[0].Err.Error(), "panicked: boom") {
		t.Errorf("a panicking submitted task answered %+v, want an error naming the panic", got[0])
	}
	if got[1].Err != nil || got[1].Value != 42 {
		t.Errorf("after the panic, SubmitTo answered %+v, want 42", got[1])
	}
}

func TestImpossiblePlacementFailsNew(t *testing.T) {
	a, _ := Affinity()
	if _, err := New(MaxSpread(a.Len()+1), Options{}); !errors.Is(err, ErrPlacement) {
		t.Fatalf("New(MaxSpread(%d)) on %d CPUs: %v, want ErrPlacement", a.Len()+1, a.Len(), err)
	}
}

// gate is a future that becomes ready when the test opens it.
type gate struct {
	open atomic.Bool
	slot waitSlot
}

func (g *gate) Poll(cx *executor.Context) executor.Poll[struct{}] {
	for !g.open.Load() {
		if !g.slot.wait(cx, "test gate", g.open.Load) {
			return executor.Pending[struct{}]()
		}
	}
	return executor.PollReady(struct{}{})
}

func (g *gate) Open() { g.open.Store(true); g.slot.fire() }

// An executor with nothing left to do must not leave while a task on
// another may still send it work: here executor 1 is idle when Shutdown
// starts, and only afterwards does a task on executor 0 submit to it.
func TestAnIdleExecutorStaysWhileAnotherMaySendItWork(t *testing.T) {
	twoCPUs(t)
	p := newPool(t, MaxSpread(2), Options{})
	checked := make(chan bool, 100)
	testHookShutdownCheck = func(id int, idle bool) {
		if id == 1 {
			select {
			case checked <- idle:
			default:
			}
		}
	}
	defer func() { testHookShutdownCheck = nil }()
	g := &gate{}
	h, err := Spawn(p, 0, executor.Async(func(a *executor.Awaiter) executor.Result[int] {
		executor.Await(a, executor.Future[struct{}](g))
		return executor.Await(a, SubmitTo(p, 1, func() executor.Future[int] { return executor.Ready(7) }))
	}))
	if err != nil {
		t.Fatal(err)
	}
	reported := make(chan Report, 1)
	go func() { reported <- p.Shutdown(30 * time.Second) }()
	if idle := <-checked; idle {
		g.Open()
		t.Fatal("executor 1 found the pool idle while a task on executor 0 was still running")
	}
	g.Open()
	rep := <-reported
	r, err := executor.Run(executor.Future[executor.Result[executor.Result[int]]](h))
	if err != nil || r.Err != nil || r.Value.Err != nil || r.Value.Value != 7 {
		t.Fatalf("the late SubmitTo answered %+v %v, want 7:\n%s", r, err, rep)
	}
}

func TestAPanickingTaskDoesNotTakeItsExecutorDown(t *testing.T) {
	p := newPool(t, Unbound(1), Options{})
	h, err := Spawn(p, 0, executor.PollFn(func(*executor.Context) executor.Poll[int] { panic("task bug") }))
	if err != nil {
		t.Fatal(err)
	}
	r, err := executor.Run(executor.Future[executor.Result[int]](h))
	var pe *executor.PanicError
	if err != nil || !errors.As(r.Err, &pe) {
		t.Fatalf("the panicking task's handle says %+v, %v; want a PanicError", r, err)
	}
	if got := await(t, p, 0, executor.Ready(5)); got != 5 {
		t.Fatalf("after a panic the executor answered %d", got)
	}
	if rep := p.Shutdown(time.Second); rep.Executors[0].Completed != 1 || !rep.Executors[0].Drained {
		t.Fatalf("report: %s", rep)
	}
}
