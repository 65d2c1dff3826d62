package check_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	executor "asyncworkbook/phase1-executor"
	"asyncworkbook/phases/check"
)

// fakeT records what Guard and Within do to a test instead of doing it.
// Its Skip and Fatalf return (a real T's never do), which Guard and
// Within are written to tolerate.
type fakeT struct {
	testing.TB
	skipped, fatal string
}

func (f *fakeT) Helper()                        {}
func (f *fakeT) Skip(args ...any)               { f.skipped = fmt.Sprint(args...) }
func (f *fakeT) Skipf(format string, a ...any)  { f.skipped = fmt.Sprintf(format, a...) }
func (f *fakeT) Fatalf(format string, a ...any) { f.fatal = fmt.Sprintf(format, a...) }

func guarded(t *testing.T, body func(ft *fakeT)) *fakeT {
	ft := &fakeT{TB: t}
	func() {
		defer check.Guard(ft, "phase1/99-demo")
		body(ft)
	}()
	return ft
}

func unfinished() int {
	check.TODO()
	return 0
}

func TestTODOSkipsWithWhereToStart(t *testing.T) {
	t.Setenv("WORKBOOK_STRICT", "")
	ft := guarded(t, func(*fakeT) { unfinished() })
	if ft.fatal != "" {
		t.Fatalf("a TODO failed the test: %s", ft.fatal)
	}
	for _, want := range []string{check.NotStartedMarker, "exercises/phase1/99-demo/README.md", "unfinished", "guard_test.go"} {
		if !strings.Contains(ft.skipped, want) {
			t.Errorf("skip message %q does not contain %q", ft.skipped, want)
		}
	}
}

func TestTODOFailsInStrictMode(t *testing.T) {
	t.Setenv("WORKBOOK_STRICT", "1")
	ft := guarded(t, func(*fakeT) { unfinished() })
	if ft.skipped != "" || !strings.Contains(ft.fatal, "WORKBOOK_STRICT=1") || !strings.Contains(ft.fatal, "unfinished") {
		t.Fatalf("strict mode: skipped=%q fatal=%q; want a failure naming the function", ft.skipped, ft.fatal)
	}
}

func TestTODOInsideATaskSkips(t *testing.T) {
	t.Setenv("WORKBOOK_STRICT", "")
	ft := guarded(t, func(ft *fakeT) {
		ex := executor.New()
		defer ex.Close()
		check.BlockOn(ft, ex, executor.PollFn(func(*executor.Context) executor.Poll[int] {
			return executor.PollReady(unfinished())
		}))
	})
	if !strings.Contains(ft.skipped, "unfinished") || ft.fatal != "" {
		t.Fatalf("TODO in a task: skipped=%q fatal=%q; want a skip", ft.skipped, ft.fatal)
	}
}

func TestTODOInAChildTasksResultSkips(t *testing.T) {
	t.Setenv("WORKBOOK_STRICT", "")
	ft := guarded(t, func(ft *fakeT) {
		ex := executor.New()
		defer ex.Close()
		h := executor.Spawn(ex, executor.PollFn(func(*executor.Context) executor.Poll[int] {
			return executor.PollReady(unfinished())
		}))
		check.BlockOn(ft, ex, executor.Join[executor.Result[int]](h))
	})
	if !strings.Contains(ft.skipped, "unfinished") {
		t.Fatalf("TODO in a child task: skipped=%q fatal=%q; want a skip", ft.skipped, ft.fatal)
	}
}

func TestOtherPanicFailsWithItsValueAndStack(t *testing.T) {
	ft := guarded(t, func(ft *fakeT) {
		check.Within(ft, func() int { panic("kaboom") })
	})
	if ft.skipped != "" || !strings.Contains(ft.fatal, "your code panicked: kaboom") || !strings.Contains(ft.fatal, "guard_test.go") {
		t.Fatalf("panic: skipped=%q fatal=%q; want a failure with the value and the stack", ft.skipped, ft.fatal)
	}
}

func TestPanicOnAnotherGoroutineOfAGroupFailsTheTest(t *testing.T) {
	ft := guarded(t, func(ft *fakeT) {
		check.Within(ft, func() int {
			check.Go(3, func(i int) {
				if i == 2 {
					panic(errors.New("waker exploded"))
				}
			}).Wait()
			return 0
		})
	})
	if !strings.Contains(ft.fatal, "waker exploded") {
		t.Fatalf("fatal=%q; want the goroutine's panic", ft.fatal)
	}
}

func TestDeadlockFailsAtTheDeadline(t *testing.T) {
	t.Setenv("WORKBOOK_DEADLINE", "100ms")
	ft := &fakeT{TB: t}
	stuck := make(chan struct{})
	defer close(stuck)
	check.Within(ft, func() int { <-stuck; return 1 })
	if !strings.Contains(ft.fatal, "did not finish in 0.1 s") || !strings.Contains(ft.fatal, "lost wakeup") {
		t.Fatalf("fatal=%q; want the deadline message", ft.fatal)
	}
	if !check.Abandoned(ft) {
		t.Fatal("Abandoned is false after a timeout")
	}
}

func TestNoParkingDriverTurnsALostWakeupIntoAFailure(t *testing.T) {
	ft := guarded(t, func(ft *fakeT) {
		ex := executor.New(executor.WithDriver(check.NoParking("explained here")))
		check.BlockOn(ft, ex, executor.PollFn(func(*executor.Context) executor.Poll[int] {
			return executor.Pending[int]() // no waker handed out
		}))
	})
	if !strings.Contains(ft.fatal, "parked") || !strings.Contains(ft.fatal, "explained here") || strings.Contains(ft.fatal, "goroutine ") {
		t.Fatalf("fatal=%q; want the parked message, without a stack", ft.fatal)
	}
}

func TestStrictReadsTheEnvironment(t *testing.T) {
	for v, want := range map[string]bool{"": false, "0": false, "1": true, "true": true} {
		t.Setenv("WORKBOOK_STRICT", v)
		if got := check.Strict(); got != want {
			t.Errorf("WORKBOOK_STRICT=%q: Strict() = %v, want %v", v, got, want)
		}
	}
}
