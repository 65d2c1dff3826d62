package runloop

import (
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"asyncworkbook/phases/check"
	"asyncworkbook/phases/trace"
)

const exercise = "phase1/03-run-loop"

// elsewhere fires wakers from other goroutines, like a timer or a socket
// would, and re-raises a panic of theirs when waited for.
type elsewhere struct {
	mu     sync.Mutex
	groups []*check.Group
}

func (e *elsewhere) wake(w Waker) {
	g := check.Go(1, func(int) { w.Wake() })
	e.mu.Lock()
	e.groups = append(e.groups, g)
	e.mu.Unlock()
}

func (e *elsewhere) wait() {
	e.mu.Lock()
	gs := e.groups
	e.mu.Unlock()
	for _, g := range gs {
		g.Wait()
	}
}

// run runs ex.Run(main) under the test's deadline and returns the stats.
func run(t *testing.T, ex *Executor, main *Task, outside *elsewhere) Stats {
	t.Helper()
	return check.WithinExplain(t,
		"Run never returned. Does it stop as soon as main.Done()? Does schedule unpark a parked loop? Is every task in the inbox moved to the run queue?",
		func() Stats {
			ex.Run(main)
			if outside != nil {
				outside.wait()
			}
			return ex.Stats()
		})
}

// yielder wakes itself k times, then is done; each poll appends name to
// *log (loop goroutine only).
func yielder(k int, name string, log *[]string) Future {
	polls := 0
	return FutureFunc(func(w Waker) bool {
		polls++
		if log != nil {
			*log = append(*log, name)
		}
		if polls > k {
			return true
		}
		w.Wake()
		return false
	})
}

// allDone is a future that is done when every task in ts is; it yields
// (wakes itself) until then.
func allDone(ts ...*Task) Future {
	return FutureFunc(func(w Waker) bool {
		for _, t := range ts {
			if !t.Done() {
				w.Wake()
				return false
			}
		}
		return true
	})
}

func TestLoopRunsMainUntilItIsDone(t *testing.T) {
	defer check.Guard(t, exercise)
	rec := check.Recorder(t)
	ex := New(rec)
	forever := ex.Spawn("forever", FutureFunc(func(Waker) bool { return false }))
	main := ex.Spawn("main", yielder(2, "main", nil))
	st := run(t, ex, main, nil)
	if !main.Done() {
		t.Fatal("Run returned before main was done")
	}
	tr := check.Events(rec)
	check.Polls(t, tr, main.ID(), 3)
	check.Polls(t, tr, forever.ID(), 1)
	if st.Polls != 4 {
		t.Errorf("the loop polled %d times, want 4 (main 3 times, the other task once)", st.Polls)
	}
}

func TestLoopPollsReadyTasksFirstInFirstOut(t *testing.T) {
	defer check.Guard(t, exercise)
	rec := check.Recorder(t)
	ex := New(rec)
	var log []string
	a := ex.Spawn("a", yielder(3, "a", &log))
	b := ex.Spawn("b", yielder(3, "b", &log))
	c := ex.Spawn("c", yielder(3, "c", &log))
	main := ex.Spawn("main", allDone(a, b, c))
	run(t, ex, main, nil)
	want := slices.Repeat([]string{"a", "b", "c"}, 4)
	if !slices.Equal(log, want) {
		t.Fatalf("three tasks that keep waking themselves were polled in the order %v, want %v: the run queue is first in, first out, and tasks join it in the order they were woken", log, want)
	}
	tr := check.Events(rec)
	for _, task := range []*Task{a, b, c} {
		check.Polls(t, tr, task.ID(), 4)
	}
}

func TestLoopPollsTasksWokenFromOtherGoroutines(t *testing.T) {
	defer check.Guard(t, exercise)
	rec := check.Recorder(t)
	ex := New(rec)
	outside := &elsewhere{}
	var tasks []*Task
	for range 8 {
		polls := 0
		tasks = append(tasks, ex.Spawn("io", FutureFunc(func(w Waker) bool {
			polls++
			if polls == 1 {
				outside.wake(w) // "the I/O completes" on another goroutine
				return false
			}
			return true
		})))
	}
	// main waits without yielding: woken by each task as it finishes.
	var mainWaker Waker
	var mu sync.Mutex
	finished := 0
	for i, task := range tasks {
		inner := task.fut
		tasks[i].fut = FutureFunc(func(w Waker) bool {
			if !inner.Poll(w) {
				return false
			}
			mu.Lock()
			finished++
			mw := mainWaker
			mu.Unlock()
			mw.Wake()
			return true
		})
	}
	main := ex.Spawn("main", FutureFunc(func(w Waker) bool {
		mu.Lock()
		defer mu.Unlock()
		mainWaker = w
		return finished == len(tasks)
	}))
	run(t, ex, main, outside)
	tr := check.Events(rec)
	for _, task := range tasks {
		check.Polls(t, tr, task.ID(), 2)
		check.WokenBy(t, tr, task.ID(), trace.SourceGoroutine, 0)
	}
}

func TestIdleLoopParksInsteadOfSpinning(t *testing.T) {
	defer check.Guard(t, exercise)
	rec := check.Recorder(t)
	ex := New(rec)
	outside := &elsewhere{}
	var held Waker
	polls := 0
	main := ex.Spawn("main", FutureFunc(func(w Waker) bool {
		polls++
		if polls == 1 {
			held = w // nothing wakes it until the loop sleeps
			return false
		}
		return true
	}))
	looksAtSleep := -1
	ex.parker.onPark = func(int) {
		if looksAtSleep < 0 {
			looksAtSleep = ex.stats.Looks
			outside.wake(held)
		}
	}
	st := run(t, ex, main, outside)
	tr := check.Events(rec)
	if looksAtSleep < 0 {
		t.Fatalf("main waited for a wake from another goroutine, but the loop never went to sleep in park; trace:%s", tr.Dump(60))
	}
	// One turn polls main; one finds nothing and parks (on a stale
	// unpark left by Spawn, which returns at once); one more finds
	// nothing and really sleeps. A little slack for a double check.
	if looksAtSleep > 4 {
		t.Errorf("with nothing to do, the loop turned %d times before it slept, want at most 4: park as soon as the run queue and the inbox are empty; trace:%s",
			looksAtSleep, tr.Dump(60))
	}
	check.Polls(t, tr, main.ID(), 2)
	if st.Parks > 2 {
		t.Errorf("the loop parked %d times, want at most 2 (one stale unpark, one real sleep); trace:%s", st.Parks, tr.Dump(60))
	}
}

func TestLoopDoesNotParkWhileATaskIsReady(t *testing.T) {
	defer check.Guard(t, exercise)
	rec := check.Recorder(t)
	ex := New(rec)
	main := ex.Spawn("main", yielder(50, "main", nil))
	st := run(t, ex, main, nil)
	tr := check.Events(rec)
	check.Polls(t, tr, main.ID(), 51)
	if st.Parks != 0 {
		t.Errorf("the loop parked %d times while main was always ready (it wakes itself each poll), want 0: look in the inbox before deciding to sleep; trace:%s",
			st.Parks, tr.Dump(40))
	}
}

// TestTraceDemo runs a small scenario on your loop and writes its trace
// (for the workbook's "run mine"); it skips unless WORKBOOK_TRACE_FILE is
// set.
func TestTraceDemo(t *testing.T) {
	defer check.Guard(t, exercise)
	check.TraceDemo(t, func(sink trace.Sink) {
		ex := New(sink)
		outside := &elsewhere{}
		ping := ex.Spawn("ping", yielder(2, "ping", nil))
		pong := ex.Spawn("pong", yielder(2, "pong", nil))
		polls := 0
		timer := ex.Spawn("timer", FutureFunc(func(w Waker) bool {
			polls++
			if polls == 1 {
				outside.wake(w) // a wake from another goroutine
				return false
			}
			return true
		}))
		main := ex.Spawn("main", allDone(ping, pong, timer))
		ex.Run(main)
		outside.wait()
	})
}

// TestAWakeJustBeforeTheParkUnparksTheLoop lands a wake from another
// goroutine exactly between the look that found the inbox empty and the
// park: the loop must not go to sleep on it.
func TestAWakeJustBeforeTheParkUnparksTheLoop(t *testing.T) {
	defer check.Guard(t, exercise)
	rec := check.Recorder(t)
	ex := New(rec)
	var held Waker
	polls := 0
	main := ex.Spawn("main", FutureFunc(func(w Waker) bool {
		polls++
		if polls == 1 {
			held = w
			return false
		}
		return true
	}))
	ex.seam.OnNth("inbox empty", 1, func() {
		// Another goroutine wakes main, and its Wake returns, before the
		// loop goes on from "nothing to do".
		landed := make(chan struct{})
		go func() { held.Wake(); close(landed) }()
		<-landed
	})
	ex.parker.onPark = func(int) {
		if n := ex.inbox.len(); n > 0 {
			check.Fail("the loop went to sleep with " + itoa(n) + " task(s) in the inbox, put there by a wake that had already returned: " +
				"that wake did not unpark the loop, and nothing else will (a lost wakeup). schedule must always call ex.unpark() after ex.push(t) — " +
				"not only when the loop looks parked: it may be just about to park.")
		}
	}
	run(t, ex, main, nil)
	if ex.seam.Fired("inbox empty") != 1 {
		t.Fatal("the loop never found the inbox empty: does it call ex.takeWoken() each turn?")
	}
	check.Polls(t, check.Events(rec), main.ID(), 2)
}

// TestLoopSurvivesAWakeStorm: four goroutines wake main hundreds of
// times while the loop keeps deciding whether to park (check.WakeStorm);
// the last wake, fired after the storm, must still get main polled.
func TestLoopSurvivesAWakeStorm(t *testing.T) {
	defer check.Guard(t, exercise)
	ex := New(nil)
	var held Waker
	var stopped atomic.Bool
	var storm *check.Storm
	done := make(chan struct{})
	main := ex.Spawn("main", FutureFunc(func(w Waker) bool {
		if held.t == nil {
			held = w
			storm = check.WakeStorm(4, 200, held.Wake)
			go func() {
				defer close(done)
				storm.Stop()
				stopped.Store(true)
				held.Wake() // the one wake that matters
			}()
		}
		return stopped.Load()
	}))
	st := run(t, ex, main, nil)
	check.Within(t, func() struct{} { <-done; return struct{}{} })
	if st.Parks == 0 {
		t.Logf("the loop never parked during the storm (it may have been busy the whole time)")
	}
}
