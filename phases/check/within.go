package check

import (
	"fmt"
	"os"
	"runtime/debug"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// seconds formats d as "5 s" (or "1.5 s").
func seconds(d time.Duration) string {
	return strconv.FormatFloat(d.Seconds(), 'f', -1, 64) + " s"
}

// DefaultDeadline is how long Within waits when WORKBOOK_DEADLINE is not set.
const DefaultDeadline = 5 * time.Second

// Deadline returns how long Within lets learner code run:
// WORKBOOK_DEADLINE (a Go duration, such as "20s") or DefaultDeadline.
func Deadline() time.Duration {
	if v := os.Getenv("WORKBOOK_DEADLINE"); v != "" {
		if d, err := time.ParseDuration(v); err == nil && d > 0 {
			return d
		}
	}
	return DefaultDeadline
}

// abandoned holds the tests whose learner code Within gave up on: that
// code may still be running, so cleanups must not touch what it uses.
var abandoned sync.Map // testing.TB → struct{}

// Abandoned reports whether Within gave up waiting for code in this test.
func Abandoned(t testing.TB) bool {
	_, ok := abandoned.Load(t)
	return ok
}

// Within runs fn on a new goroutine and returns its result, failing the
// test if fn does not return within Deadline. A panic in fn is carried
// back to the test's goroutine and re-raised there for Guard: a TODO
// skips the test, anything else fails it with fn's stack.
//
// fn must not call t.Fatal and friends (it does not run on the test's
// goroutine): return what you need and assert afterwards.
func Within[T any](t testing.TB, fn func() T) T {
	t.Helper()
	return within(t, Deadline(), "", fn)
}

// WithinExplain is Within with a few words added to the timeout message,
// saying what most likely went wrong in this exercise.
func WithinExplain[T any](t testing.TB, explain string, fn func() T) T {
	t.Helper()
	return within(t, Deadline(), explain, fn)
}

// timedOut is set by the first Within that gave up: the code it
// abandoned may still be running (spinning, holding locks), so later
// tests in the same binary skip instead of waiting their own five
// seconds each for the same bug.
var timedOut atomic.Pointer[string]

func within[T any](t testing.TB, d time.Duration, explain string, fn func() T) T {
	t.Helper()
	if first := timedOut.Load(); first != nil {
		t.Skipf("skipped: %s did not finish in time, and its code may still be running; fix that one first", *first)
	}
	type outcome struct {
		v        T
		panicked bool
		value    any
		stack    []byte
		exited   bool
	}
	ch := make(chan outcome, 1)
	gid := make(chan uint64, 1)
	go func() {
		gid <- GoroutineID()
		var o outcome
		finished := false
		defer func() {
			if !finished {
				if r := recover(); r != nil {
					o.panicked, o.value, o.stack = true, r, debug.Stack()
				} else {
					o.exited = true // runtime.Goexit
				}
			}
			ch <- o
		}()
		o.v = fn()
		finished = true
	}()
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case o := <-ch:
		switch {
		case o.panicked:
			if nse, ok := asNotStarted(o.value); ok {
				panic(nse)
			}
			if f, ok := o.value.(harnessFailure); ok {
				panic(f)
			}
			if lp, ok := o.value.(*learnerPanic); ok {
				panic(lp) // from a Group: keeps its own stack
			}
			panic(&learnerPanic{value: o.value, stack: o.stack})
		case o.exited:
			t.Fatalf("the code under test called runtime.Goexit (or t.FailNow) instead of returning")
			var zero T
			return zero
		}
		return o.v
	case <-timer.C:
		abandoned.Store(t, struct{}{})
		if _, real := t.(*testing.T); real { // not a test double's
			name := t.Name()
			timedOut.CompareAndSwap(nil, &name)
		}
		st := diagnoseStall(<-gid)
		msg := fmt.Sprintf("did not finish in %s: a lost wakeup, a deadlock or an endless loop", seconds(d))
		if st.verdict != "" {
			msg += ".\nIt looks like " + st.verdict
		}
		if st.where != "" {
			msg += "\nYour code was at " + st.where
		}
		if explain != "" {
			msg += "\n" + explain
		}
		if st.stack != "" {
			msg += "\n\nwhere it was stuck:\n" + st.stack
		}
		t.Fatalf("%s", msg)
	}
	var zero T
	return zero // only with a testing.TB whose Fatalf returns
}
