package countdown

import (
	"slices"
	"testing"

	executor "asyncworkbook/phase1-executor"
	"asyncworkbook/phases/check"
	"asyncworkbook/phases/trace"
)

const exercise = "phase1/01-countdown"

// noOutsideHelp is the executor's driver in these tests: a countdown needs
// nobody outside the executor, so parking means a lost wakeup.
func noOutsideHelp() executor.Option {
	return executor.WithDriver(check.NoParking(
		"A Countdown must wake itself before returning Pending (cx.Waker() / cx.Wake), " +
			"and must not rely on a goroutine or a timer to do it. Look in the trace below for the " +
			"poll-ended pending that has no waker-registered before it."))
}

func run(t *testing.T, n int) ([]int, check.Trace) {
	t.Helper()
	rec := check.Recorder(t)
	ex := check.Executor(t, executor.WithSink(rec), noOutsideHelp())
	got := check.BlockOn(t, ex, executor.Future[[]int](&Countdown{N: n}))
	return got, check.Events(rec)
}

func TestCountdownSaysEveryNumberInOrder(t *testing.T) {
	defer check.Guard(t, exercise)
	got, _ := run(t, 5)
	if want := []int{5, 4, 3, 2, 1}; !slices.Equal(got, want) {
		t.Fatalf("Countdown{N: 5} was ready with %v, want %v", got, want)
	}
}

func TestCountdownIsPolledOncePerStep(t *testing.T) {
	defer check.Guard(t, exercise)
	got, tr := run(t, 4)
	if len(got) != 4 {
		t.Fatalf("Countdown{N: 4} was ready with %v, want 4 numbers", got)
	}
	// Four polls say 4, 3, 2, 1 and return Pending; the fifth is Ready.
	check.Polls(t, tr, 1, 5)
	check.Count(t, tr, 1, trace.PollEnded, 5, "one poll-ended per poll")
	ready := 0
	for _, e := range tr.Of(1).Only(trace.PollEnded) {
		if e.Ready {
			ready++
		}
	}
	if ready != 1 {
		t.Errorf("%d polls returned Ready, want exactly 1 (the last)", ready)
	}
}

func TestCountdownWakesItselfEachStep(t *testing.T) {
	defer check.Guard(t, exercise)
	_, tr := run(t, 3)
	check.NoLostWakeups(t, tr)
	// Every wake must come from the countdown's own poll: fired inside
	// it (woken by task T1), or fired during it and noticed at its end.
	wakes := 0
	polling := false
	for _, e := range tr.Of(1) {
		switch e.Kind {
		case trace.PollStarted:
			polling = true
		case trace.PollEnded:
			polling = false
		case trace.Woken:
			wakes++
			fromItself := polling && e.By == trace.SourceTask && e.From == 1
			if !fromItself && e.Note != "during poll" {
				t.Errorf("wake %q did not come from the countdown's own poll: something outside the executor woke it; trace:%s", e, tr.Dump(100))
			}
		}
	}
	if wakes != 3 {
		t.Errorf("the countdown from 3 was woken %d times, want 3 (once per Pending); trace:%s", wakes, tr.Dump(100))
	}
}

func TestCountdownYieldsToOtherTasksBetweenSteps(t *testing.T) {
	defer check.Guard(t, exercise)
	rec := check.Recorder(t)
	ex := check.Executor(t, executor.WithSink(rec), noOutsideHelp())
	a := executor.Spawn(ex, executor.Future[[]int](&Countdown{N: 3}), executor.WithName("a"))
	b := executor.Spawn(ex, executor.Future[[]int](&Countdown{N: 3}), executor.WithName("b"))
	both := check.BlockOn(t, ex, executor.Join[executor.Result[[]int]](a, b))
	for i, r := range both {
		check.NoError(t, r.Err, "a countdown task")
		if want := []int{3, 2, 1}; !slices.Equal(r.Value, want) {
			t.Fatalf("countdown %d was ready with %v, want %v", i, r.Value, want)
		}
	}
	tr := check.Events(rec)
	var order []uint64
	for _, id := range tr.PollOrder() {
		if id == a.ID() || id == b.ID() {
			order = append(order, id)
		}
	}
	want := []uint64{}
	for range 4 {
		want = append(want, a.ID(), b.ID())
	}
	if !slices.Equal(order, want) {
		t.Fatalf("two countdowns spawned together were polled in the order %v, want %v: each poll must do one step and give the executor back, so the two take turns; trace:%s",
			order, want, tr.Dump(100))
	}
}

func TestCountdownFromZeroIsReadyAtOnce(t *testing.T) {
	defer check.Guard(t, exercise)
	got, tr := run(t, 0)
	if len(got) != 0 {
		t.Fatalf("Countdown{N: 0} was ready with %v, want no numbers", got)
	}
	check.Polls(t, tr, 1, 1)
}

func TestCountdownStartsNoGoroutine(t *testing.T) {
	defer check.Guard(t, exercise)
	ex := check.Executor(t, noOutsideHelp())
	type res struct {
		said    []int
		err     error
		started uint64
	}
	r := check.Within(t, func() res {
		before := check.GoroutinesCreated()
		said, err := executor.BlockOn(ex, executor.Future[[]int](&Countdown{N: 3}))
		return res{said, err, check.GoroutinesCreated() - before}
	})
	check.NoError(t, r.err, "the countdown task")
	if r.started != 0 {
		t.Fatalf("the countdown started %d goroutine(s): it must wake itself from its own poll (cx.Wake(cx.Waker())), not from a goroutine — not even one it waits for inside Poll, which only hides the wake from another thread", r.started)
	}
	if len(r.said) != 3 {
		t.Fatalf("Countdown{N: 3} was ready with %v, want 3 numbers", r.said)
	}
}
