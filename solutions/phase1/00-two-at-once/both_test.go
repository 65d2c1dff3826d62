package twoatonce

import (
	"fmt"
	"slices"
	"testing"

	executor "asyncworkbook/phase1-executor"
	"asyncworkbook/phases/check"
)

const exercise = "phase1/00-two-at-once"

// fetch stands for a network round trip: Pending `trips` times (waking
// itself, as a finished round trip would), then Ready with name. Each
// poll is logged, with the executor that ran it.
type fetch struct {
	name  string
	trips int
	polls int
	log   *[]string
	ex    *executor.Executor // the executor it must run on
	wrong *string            // set if it ran anywhere else
}

func (f *fetch) Poll(cx *executor.Context) executor.Poll[string] {
	f.polls++
	if cx.Executor() != f.ex && f.wrong != nil && *f.wrong == "" {
		*f.wrong = f.name
	}
	if f.log != nil {
		*f.log = append(*f.log, fmt.Sprintf("%s#%d", f.name, f.polls))
	}
	if f.polls > f.trips {
		return executor.PollReady(f.name)
	}
	cx.Wake(cx.WakerFor(f.name + " (the round trip)"))
	return executor.Pending[string]()
}

// run runs Both(x, y) as the main task on an executor that fails if it
// ever has to park (every future here wakes itself).
func run(t *testing.T, mk func(ex *executor.Executor) (x, y *fetch)) (string, string, *fetch, *fetch) {
	t.Helper()
	ex := check.Executor(t, executor.WithDriver(check.NoParking(
		"Both waits for something nobody will wake: does it await the two futures (or their join handles)?")))
	x, y := mk(ex)
	type out struct{ X, Y string }
	got := check.BlockOn(t, ex, executor.Async(func(a *executor.Awaiter) out {
		vx, vy := Both(a, x, y)
		return out{vx, vy}
	}))
	return got.X, got.Y, x, y
}

func TestBothReturnsTheOutputsInOrder(t *testing.T) {
	defer check.Guard(t, exercise)
	gx, gy, _, _ := run(t, func(ex *executor.Executor) (*fetch, *fetch) {
		// y finishes first: the outputs still come in the order x, y.
		return &fetch{name: "users", trips: 3, ex: ex}, &fetch{name: "orders", trips: 1, ex: ex}
	})
	if gx != "users" || gy != "orders" {
		t.Fatalf("Both returned (%q, %q), want (\"users\", \"orders\"): x's output first, y's second, whichever finishes first", gx, gy)
	}
}

func TestBothRunsTheTwoAtOnce(t *testing.T) {
	defer check.Guard(t, exercise)
	var log []string
	run(t, func(ex *executor.Executor) (*fetch, *fetch) {
		return &fetch{name: "x", trips: 3, log: &log, ex: ex}, &fetch{name: "y", trips: 3, log: &log, ex: ex}
	})
	firstY, lastX := slices.Index(log, "y#1"), slices.Index(log, "x#4")
	if firstY < 0 || lastX < 0 || firstY > lastX {
		t.Fatalf("the polls went %v: y started only after x was done. Both must run them at the same time — neither waits for the other to start (SpawnLocal both, then one Await of Join)", log)
	}
}

func TestBothRunsThemOnTheCallersExecutor(t *testing.T) {
	defer check.Guard(t, exercise)
	var wrong string
	gx, gy, _, _ := run(t, func(ex *executor.Executor) (*fetch, *fetch) {
		return &fetch{name: "x", trips: 2, ex: ex, wrong: &wrong}, &fetch{name: "y", trips: 2, ex: ex, wrong: &wrong}
	})
	if wrong != "" {
		t.Fatalf("future %s was polled by another executor than the one running Both: run both on the caller's executor (a.Context()), not on executors (or goroutines) of your own", wrong)
	}
	if gx != "x" || gy != "y" {
		t.Fatalf("Both returned (%q, %q), want (\"x\", \"y\")", gx, gy)
	}
}

func TestBothWithOneReadyAtOnce(t *testing.T) {
	defer check.Guard(t, exercise)
	gx, gy, x, y := run(t, func(ex *executor.Executor) (*fetch, *fetch) {
		return &fetch{name: "now", trips: 0, ex: ex}, &fetch{name: "later", trips: 2, ex: ex}
	})
	if gx != "now" || gy != "later" {
		t.Fatalf("Both returned (%q, %q), want (\"now\", \"later\")", gx, gy)
	}
	if x.polls != 1 || y.polls != 3 {
		t.Fatalf("the futures were polled %d and %d times, want 1 and 3: each until it is ready, never after", x.polls, y.polls)
	}
}
