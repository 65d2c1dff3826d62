package executor

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"asyncworkbook/phases/trace"
)

var update = flag.Bool("update", false, "rewrite the golden trace files in testdata/")

// goldenScenario: main spawns a child that yields once and returns 20;
// main awaits the child's handle, sends the value through a Chan to a
// second child, and returns what that child received plus one.
func goldenScenario(a *Awaiter) int {
	cx := a.Context()
	ch := NewChan[int]()
	child := SpawnLocal(cx, Async(func(a *Awaiter) int {
		Await(a, YieldNow())
		return 20
	}), WithName("child"))
	recv := SpawnLocal(cx, Async(func(a *Awaiter) int {
		return Await(a, ch.Recv()).Value
	}), WithName("receiver"))
	v := Await(a, Future[Result[int]](child)).Value
	Await(a, ch.Send(v+1))
	return Await(a, Future[Result[int]](recv)).Value + 1
}

// TestTraceGolden pins the exact event sequence of a small scenario. The
// times are not part of Event.String, so the file is stable; run with
// -update after a deliberate change to the runtime's events, and review
// the diff like code.
func TestTraceGolden(t *testing.T) {
	rec := trace.NewRecorder(1024)
	got, err := Run(Async(goldenScenario), WithSink(rec))
	if err != nil || got != 22 {
		t.Fatalf("scenario = %d, %v; want 22", got, err)
	}
	var b strings.Builder
	for _, e := range rec.Events() {
		e.Exec = 0 // executor ids depend on how many executors ran before
		b.WriteString(e.String())
		b.WriteByte('\n')
	}
	path := filepath.Join("testdata", "golden-spawn-join.txt")
	if *update {
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run TestTraceGolden -update once)", err)
	}
	if b.String() != string(want) {
		t.Errorf("trace differs from %s\n--- got\n%s--- want\n%s", path, b.String(), want)
	}
}

// TestTraceEventsAreNumberedAndTimed checks the stamping every event gets.
func TestTraceEventsAreNumberedAndTimed(t *testing.T) {
	rec := trace.NewRecorder(1024)
	ex := New(WithSink(rec))
	defer ex.Close()
	if _, err := BlockOn(ex, Async(goldenScenario)); err != nil {
		t.Fatal(err)
	}
	var last trace.Event
	for i, e := range rec.Events() {
		if e.Seq != uint64(i+1) || e.Exec != ex.ID() || e.Time < last.Time || !e.Kind.Valid() {
			t.Fatalf("event %d = %+v after %+v: want seq %d, exec %d, non-decreasing time, a valid kind", i, e, last, i+1, ex.ID())
		}
		last = e
	}
}

// TestUntracedExecutorEmitsNothing: a nil sink really is off.
func TestUntracedExecutorEmitsNothing(t *testing.T) {
	ex := New()
	defer ex.Close()
	if _, err := BlockOn(ex, Async(goldenScenario)); err != nil {
		t.Fatal(err)
	}
	if ex.seq != 0 {
		t.Fatalf("an executor without a sink numbered %d events", ex.seq)
	}
}

// TestStepperPausesTheRuntimeBetweenEvents drives the executor one event
// at a time, as the visualiser does, then detaches and lets it finish.
func TestStepperPausesTheRuntimeBetweenEvents(t *testing.T) {
	st := trace.NewStepper()
	done := make(chan int, 1)
	go func() {
		v, _ := Run(Async(goldenScenario), WithSink(st))
		done <- v
	}()
	want := []trace.Kind{trace.Spawned, trace.Turn, trace.PollStarted, trace.Spawned, trace.Spawned}
	for i, k := range want {
		e := <-st.Stops() // the runtime is blocked inside this event now
		if e.Kind != k {
			t.Fatalf("stop %d is %v, want %v", i, e, k)
		}
		select {
		case <-done:
			t.Fatal("the runtime finished while stopped at an event")
		default:
		}
		st.Step()
	}
	st.ContinueUntil(trace.NewKindSet(trace.Completed))
	if e := <-st.Stops(); e.Kind != trace.Completed || e.Task != 2 {
		t.Fatalf("ContinueUntil(completed) stopped at %v, want T2 completed", e)
	}
	st.Detach()
	if v := <-done; v != 22 {
		t.Fatalf("scenario = %d after detaching, want 22", v)
	}
}
