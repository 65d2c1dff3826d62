package tracestate

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"asyncworkbook/phases/trace"
	"asyncworkbook/tui/internal/fixture"
)

// replay applies the first n events of the recorded fixture.
func replay(tb testing.TB, n int) (*State, []trace.Event) {
	tb.Helper()
	evs := fixture.SpawnSleepYield()
	var s State
	for i := range evs[:n] {
		s.Apply(&evs[i])
	}
	return &s, evs
}

// dump renders the state for failure messages.
func dump(s *State) string {
	var b strings.Builder
	for _, t := range s.Tasks {
		fmt.Fprintf(&b, "  %s %-10q %-11s polls=%d wakes=%d last=%q holder=%q stuck=%v\n",
			s.Label(t.Key), t.Name, t.Status, t.Polls, t.Wakes, t.LastWaker, t.Holder, t.Stuck)
	}
	fmt.Fprintf(&b, "  queue=%v phase=%s turns=%d", labels(s, s.Queue), s.Phase, s.Turns)
	return b.String()
}

func labels(s *State, ks []Key) []string {
	var out []string
	for _, k := range ks {
		out = append(out, s.Label(k))
	}
	return out
}

func wantStatus(t *testing.T, s *State, task uint64, want Status) {
	t.Helper()
	got := s.Task(Key{1, task})
	if got == nil {
		t.Fatalf("T%d missing\n%s", task, dump(s))
	}
	if got.Status != want {
		t.Fatalf("T%d is %s, want %s\n%s", task, got.Status, want, dump(s))
	}
}

func TestSpawnedTasksQueueInSpawnOrder(t *testing.T) {
	s, _ := replay(t, 9) // main spawned four tasks and returned Pending
	if got, want := labels(s, s.Queue), []string{"T2", "T3", "T4", "T5"}; !slices.Equal(got, want) {
		t.Fatalf("queue = %v, want %v\n%s", got, want, dump(s))
	}
	wantStatus(t, s, 1, Pending)
	if main := s.Task(Key{1, 1}); main.Holder != "join handle T2" || main.Stuck || main.Polls != 1 {
		t.Fatalf("main after its first poll:\n%s", dump(s))
	}
	for id := uint64(2); id <= 5; id++ {
		wantStatus(t, s, id, Queued)
	}
}

func TestPollTakesTheFrontOfTheQueue(t *testing.T) {
	s, _ := replay(t, 11) // turn 2, T2 poll-started
	wantStatus(t, s, 2, Running)
	if got, want := labels(s, s.Queue), []string{"T3", "T4", "T5"}; !slices.Equal(got, want) {
		t.Fatalf("queue = %v, want %v\n%s", got, want, dump(s))
	}
	if s.Phase != PhasePoll || s.Current != (Key{1, 2}) || s.Turns != 2 {
		t.Fatalf("phase %s, current %v, turns %d; want poll, T2, 2", s.Phase, s.Current, s.Turns)
	}
}

func TestPendingWithoutWakerIsStuck(t *testing.T) {
	s, evs := replay(t, 18) // T4 "forgetful" returned Pending, no waker handed over
	k := Key{1, 4}
	if t4 := s.Task(k); !t4.NoWaker || t4.Stuck {
		t.Fatalf("T4 right after its poll: NoWaker %v Stuck %v, want true, false (the next event settles it)", t4.NoWaker, t4.Stuck)
	}
	s, _ = replay(t, 19) // the executor moved on: T4 is stuck
	if !s.Task(k).Stuck {
		t.Fatalf("T4 not flagged stuck\n%s", dump(s))
	}
	if got := s.Stuck(); !slices.Equal(got, []Key{k}) {
		t.Fatalf("Stuck() = %v, want [T4]", got)
	}
	if got := s.Explain(&evs[17]); !strings.Contains(got, "lost wakeup") {
		t.Fatalf("Explain(%v) = %q, want it to say lost wakeup", evs[17], got)
	}
	// It stays stuck to the end: nothing ever wakes it, Close cancels it.
	s2, _ := replay(t, 65)
	if !s2.Task(k).Stuck {
		t.Fatalf("T4 no longer stuck before the end\n%s", dump(s2))
	}
	s3, _ := replay(t, 66)
	if t4 := s3.Task(k); t4.Stuck || t4.Status != Cancelled {
		t.Fatalf("after Close: %s stuck=%v, want cancelled, not stuck", t4.Status, t4.Stuck)
	}
}

func TestPendingWithWakerIsNotStuck(t *testing.T) {
	s, evs := replay(t, 13) // T2 handed its waker to the timer
	if s.Task(Key{1, 2}).Stuck {
		t.Fatalf("T2 flagged stuck\n%s", dump(s))
	}
	want := "T2 returned Pending after handing its waker to timer."
	if got := s.Explain(&evs[12]); got != want {
		t.Fatalf("Explain = %q, want %q", got, want)
	}
}

func TestYieldWakesItselfDuringThePoll(t *testing.T) {
	s, _ := replay(t, 22) // T5 yielded: registered, woke itself, Pending
	t5 := s.Task(Key{1, 5})
	if t5.Stuck || t5.Wakes != 1 || t5.LastWaker != "T5" || t5.Status != Pending {
		t.Fatalf("T5 after yielding:\n%s", dump(s))
	}
	s, _ = replay(t, 23) // re-queued
	wantStatus(t, s, 5, Queued)
}

func TestTimerWakeAndParking(t *testing.T) {
	s, _ := replay(t, 40)
	if s.Phase != PhasePark || s.Parks != 1 {
		t.Fatalf("phase %s, parks %d; want park, 1", s.Phase, s.Parks)
	}
	s, _ = replay(t, 43)
	if t2 := s.Task(Key{1, 2}); t2.LastWaker != "timer" || t2.Status != Queued || s.Phase != PhaseWake {
		t.Fatalf("after the timer fired:\n%s", dump(s))
	}
}

func TestEndState(t *testing.T) {
	s, _ := replay(t, 66)
	want := map[uint64]Status{1: Done, 2: Done, 3: Done, 4: Cancelled, 5: Done}
	for id, st := range want {
		wantStatus(t, s, id, st)
	}
	if len(s.Queue) != 0 || s.Phase != PhaseDone || s.Events != 66 {
		t.Fatalf("end: queue %v, phase %s, events %d", s.Queue, s.Phase, s.Events)
	}
}

// TestSeparateQueuedEvent: a trace where Spawned carries no queue length
// and a Queued event follows (as older recordings do) queues the task once.
func TestSeparateQueuedEvent(t *testing.T) {
	var s State
	for _, e := range []trace.Event{
		{Seq: 1, Exec: 1, Task: 1, Kind: trace.Spawned, Name: "main", By: trace.SourceExecutor},
		{Seq: 2, Exec: 1, Task: 1, Kind: trace.Queued, Queue: 1},
		{Seq: 3, Exec: 1, Task: 2, Kind: trace.Spawned, Queue: 2},
		{Seq: 4, Exec: 1, Task: 2, Kind: trace.Queued, Queue: 2},
	} {
		s.Apply(&e)
	}
	if got := labels(&s, s.Queue); !slices.Equal(got, []string{"T1", "T2"}) {
		t.Fatalf("queue = %v, want [T1 T2]", got)
	}
}

func TestPanicked(t *testing.T) {
	var s State
	for _, e := range []trace.Event{
		{Seq: 1, Exec: 1, Task: 7, Kind: trace.Spawned, Queue: 1},
		{Seq: 2, Exec: 1, Task: 7, Kind: trace.PollStarted},
		{Seq: 3, Exec: 1, Task: 7, Kind: trace.PollEnded},
		{Seq: 4, Exec: 1, Task: 7, Kind: trace.Panicked, Note: "boom"},
	} {
		s.Apply(&e)
	}
	t7 := s.Task(Key{1, 7})
	if t7.Status != Panicked || t7.Stuck || t7.Note != "boom" {
		t.Fatalf("after a panic:\n%s", dump(&s))
	}
	if got := s.Explain(&s.Last); !strings.Contains(got, "panicked (boom)") {
		t.Fatalf("Explain = %q", got)
	}
}

func TestUnknownTaskIsCreated(t *testing.T) {
	var s State // the Spawned event was dropped
	e := trace.Event{Seq: 9, Exec: 1, Task: 3, Kind: trace.PollStarted}
	s.Apply(&e)
	wantStatus(t, &s, 3, Running)
}

func TestCloneIsIndependent(t *testing.T) {
	s, evs := replay(t, 20)
	c := s.Clone()
	for i := range evs[20:] {
		s.Apply(&evs[20+i])
	}
	if c.Events != 20 || c.Task(Key{1, 5}).Status != Running || len(c.Queue) != 0 {
		t.Fatalf("clone changed by later Apply:\n%s", dump(c))
	}
	want, _ := replay(t, 20)
	if dump(c) != dump(want) {
		t.Fatalf("clone differs from a fresh replay:\n%s\nwant\n%s", dump(c), dump(want))
	}
}

func TestMultiExecLabels(t *testing.T) {
	var s State
	for _, e := range []trace.Event{
		{Seq: 1, Exec: 1, Task: 1, Kind: trace.Spawned},
		{Seq: 1, Exec: 2, Task: 1, Kind: trace.Spawned},
	} {
		s.Apply(&e)
	}
	if got := s.Label(Key{2, 1}); got != "E2·T1" {
		t.Fatalf("Label = %q, want E2·T1", got)
	}
}

// TestEveryEventIsExplained: each event of the fixture gets one sentence
// that ends with a full stop and never falls back to the raw event.
func TestEveryEventIsExplained(t *testing.T) {
	evs := fixture.SpawnSleepYield()
	var s State
	for i := range evs {
		s.Apply(&evs[i])
		got := s.Explain(&evs[i])
		if !strings.HasSuffix(got, ".") || strings.Contains(got, "#") {
			t.Errorf("Explain(%v) = %q", evs[i], got)
		}
	}
}

func TestStatusReadableWithoutColour(t *testing.T) {
	for st, want := range map[Status]string{
		Pending: "○ pending", Queued: "◆ queued", Running: "▶ running",
		Done: "✓ done", Cancelled: "✗ cancelled", Panicked: "‼ panicked",
	} {
		if got := st.String(); got != want {
			t.Errorf("%d.String() = %q, want %q", st, got, want)
		}
	}
}

func TestOrdinal(t *testing.T) {
	for n, want := range map[int]string{1: "1st", 2: "2nd", 3: "3rd", 4: "4th", 11: "11th", 12: "12th", 21: "21st", 102: "102nd"} {
		if got := ordinal(n); got != want {
			t.Errorf("ordinal(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestPhase2EventsAreExplained(t *testing.T) {
	var s State
	for _, e := range []trace.Event{
		{Seq: 1, Exec: 1, Task: 3, Kind: trace.SQEPrepared, Op: "READ", FD: 5},
		{Seq: 2, Exec: 1, Kind: trace.Submitted, Count: 2, Note: "wait"},
		{Seq: 3, Exec: 1, Task: 3, Kind: trace.CQEReaped, Op: "READ", Res: 42},
		{Seq: 4, Exec: 1, Kind: trace.CQEReaped, Op: "READ", Res: -125},
		{Seq: 5, Exec: 1, Task: 3, Kind: trace.OpCancelled, Op: "READ"},
	} {
		s.Apply(&e)
		got := s.Explain(&e)
		if !strings.HasSuffix(got, ".") || strings.Contains(got, "#") {
			t.Errorf("Explain(%v) = %q", e, got)
		}
	}
}

// TestPanicAfterPollEndedIsNotALostWakeup: an executor that records a
// panicking poll as ended pending, then the panic (older traces), must
// not have the task flagged stuck at any point after the panic.
func TestPanicAfterPollEndedIsNotALostWakeup(t *testing.T) {
	var s State
	evs := []trace.Event{
		{Seq: 1, Exec: 1, Task: 7, Kind: trace.Spawned, Queue: 1},
		{Seq: 2, Exec: 1, Task: 7, Kind: trace.PollStarted},
		{Seq: 3, Exec: 1, Task: 7, Kind: trace.PollEnded},
		{Seq: 4, Exec: 1, Task: 7, Kind: trace.Panicked, Note: "boom"},
		{Seq: 5, Exec: 1, Kind: trace.Turn},
	}
	for i := range evs {
		s.Apply(&evs[i])
		if t7 := s.Task(Key{1, 7}); t7.Stuck {
			t.Fatalf("after event %d (%s), T7 is flagged stuck:\n%s", i+1, evs[i].Kind, dump(&s))
		}
	}
	if got := s.Stuck(); len(got) != 0 {
		t.Fatalf("Stuck() = %v after a panic", got)
	}
	// A poll-ended that says it was a panic is not a lost wakeup either.
	var s2 State
	for _, e := range []trace.Event{evs[0], evs[1], {Seq: 3, Exec: 1, Task: 7, Kind: trace.PollEnded, Note: "panicked"}, evs[4]} {
		s2.Apply(&e)
	}
	if t7 := s2.Task(Key{1, 7}); t7.Stuck || t7.NoWaker {
		t.Fatalf("a poll-ended noted as a panic is flagged:\n%s", dump(&s2))
	}
}

// TestHoldersAreEveryoneHoldingTheWakerNow: handing the waker to two
// holders lists both; the one that fires it is removed, a wake from no
// holder clears them, a finished task holds none.
func TestHoldersAreEveryoneHoldingTheWakerNow(t *testing.T) {
	var s State
	apply := func(e trace.Event) { s.Apply(&e) }
	holders := func() []string { return s.Task(Key{1, 1}).Holders }
	apply(trace.Event{Exec: 1, Task: 1, Kind: trace.Spawned, Queue: 1})
	apply(trace.Event{Exec: 1, Task: 2, Kind: trace.Spawned, Queue: 2})
	apply(trace.Event{Exec: 1, Task: 1, Kind: trace.PollStarted})
	apply(trace.Event{Exec: 1, Task: 1, Kind: trace.WakerRegistered, Holder: "timer"})
	apply(trace.Event{Exec: 1, Task: 1, Kind: trace.WakerRegistered, Holder: "join handle T2"})
	apply(trace.Event{Exec: 1, Task: 1, Kind: trace.WakerRegistered, Holder: "timer"})
	apply(trace.Event{Exec: 1, Task: 1, Kind: trace.PollEnded})
	if got := holders(); !slices.Equal(got, []string{"timer", "join handle T2"}) {
		t.Fatalf("holders %v, want [timer, join handle T2]", got)
	}
	apply(trace.Event{Exec: 1, Task: 1, Kind: trace.Woken, By: trace.SourceTask, From: 2})
	if got := holders(); !slices.Equal(got, []string{"timer"}) {
		t.Fatalf("after T2 fired it: holders %v, want [timer]", got)
	}
	apply(trace.Event{Exec: 1, Task: 1, Kind: trace.Woken, By: trace.SourceGoroutine})
	if got := holders(); len(got) != 0 {
		t.Fatalf("after a wake from no holder: %v, want none", got)
	}
	apply(trace.Event{Exec: 1, Task: 1, Kind: trace.WakerRegistered, Holder: "timer"})
	apply(trace.Event{Exec: 1, Task: 1, Kind: trace.Completed})
	if got := holders(); len(got) != 0 {
		t.Fatalf("a completed task still has holders %v", got)
	}
}

// TestUnparkExplainsTheWakeThatFollows: the executor records a wake from
// another goroutine after the unpark it caused; the unpark's sentence
// says the cause comes next, so no wake is explained before its cause.
func TestUnparkExplainsTheWakeThatFollows(t *testing.T) {
	var s State
	for _, note := range []string{"work already waiting", "woken"} {
		got := s.Explain(&trace.Event{Exec: 1, Kind: trace.Unparked, Note: note})
		if !strings.Contains(got, "another goroutine") || !strings.Contains(got, "next events") {
			t.Errorf("Unparked (%s): %q", note, got)
		}
	}
}
