package trace

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// These tests never sleep to let goroutines make progress: they order
// things with channels. The only timer is a failure guard in nextStop, so
// that a bug shows up as a failed test rather than a hung one.

// kindEvents returns events on executor 1 with Seq 1, 2, ... and the given
// kinds.
func kindEvents(kinds ...Kind) []Event {
	evs := make([]Event, len(kinds))
	for i, k := range kinds {
		evs[i] = Event{Seq: uint64(i + 1), Exec: 1, Task: 1, Kind: k}
	}
	return evs
}

// emitter plays the runtime: it runs evs through a sink on its own
// goroutine. returned counts the Event calls that have returned.
type emitter struct {
	returned atomic.Int64
	done     chan struct{}
}

func emit(s Sink, evs []Event) *emitter {
	em := &emitter{done: make(chan struct{})}
	go func() {
		defer close(em.done)
		for i := range evs {
			e := evs[i]
			s.Event(&e)
			em.returned.Add(1)
		}
	}()
	return em
}

// wait waits for the emitter to finish.
func (em *emitter) wait(t *testing.T) {
	t.Helper()
	select {
	case <-em.done:
	case <-time.After(10 * time.Second):
		t.Fatal("emitter still blocked after 10s")
	}
}

// nextStop receives the next stop from s.
func nextStop(t *testing.T, s *Stepper) Event {
	t.Helper()
	select {
	case e, ok := <-s.Stops():
		if !ok {
			t.Fatal("Stops closed")
		}
		return e
	case <-time.After(10 * time.Second):
		t.Fatal("no stop after 10s")
	}
	panic("unreachable")
}

// expectStop receives the next stop and checks that it is want and that
// the emitter is blocked in that event: exactly the events before it have
// returned. The emitter cannot advance past want until the test releases
// it, so the count is exact, not a guess.
func expectStop(t *testing.T, s *Stepper, em *emitter, want Event) {
	t.Helper()
	got := nextStop(t, s)
	if got != want {
		t.Fatalf("stopped at %v, want %v", got, want)
	}
	if n := em.returned.Load(); n != int64(want.Seq-1) {
		t.Fatalf("stopped at #%d but %d events have returned, want %d", want.Seq, n, want.Seq-1)
	}
	if n := len(s.Stops()); n != 0 {
		t.Fatalf("%d more stops queued while stopped", n)
	}
}

func TestStepperStepByStep(t *testing.T) {
	s := NewStepper()
	defer s.Detach()
	evs := kindEvents(Spawned, Queued, PollStarted, PollEnded, Completed)
	em := emit(s, evs)
	for _, want := range evs {
		expectStop(t, s, em, want)
		s.Step()
	}
	em.wait(t)
	if n := em.returned.Load(); n != int64(len(evs)) {
		t.Fatalf("%d events returned, want %d", n, len(evs))
	}
}

// A task's life with a wakeup in the middle.
var lifeKinds = []Kind{
	Spawned,         // 1
	Queued,          // 2
	PollStarted,     // 3
	WakerRegistered, // 4
	PollEnded,       // 5
	Woken,           // 6
	Queued,          // 7
	PollStarted,     // 8
	PollEnded,       // 9
	Completed,       // 10
}

func TestStepperContinueUntil(t *testing.T) {
	s := NewStepper()
	defer s.Detach()
	evs := kindEvents(lifeKinds...)
	em := emit(s, evs)
	expectStop(t, s, em, evs[0]) // a new Stepper stops at the first event
	s.ContinueUntil(NewKindSet(PollEnded))
	expectStop(t, s, em, evs[4])
	s.ContinueUntil(NewKindSet(Woken, Completed))
	expectStop(t, s, em, evs[5])
	s.ContinueUntil(NewKindSet(Completed))
	expectStop(t, s, em, evs[9])
	s.Continue()
	em.wait(t)
}

func TestStepperBreakpoints(t *testing.T) {
	s := NewStepper()
	defer s.Detach()
	evs := kindEvents(lifeKinds...)
	em := emit(s, evs)
	expectStop(t, s, em, evs[0])

	bp := NewKindSet(Woken, Completed)
	s.SetBreakpoints(bp) // does not release the stop
	if got := s.Breakpoints(); got != bp {
		t.Fatalf("Breakpoints() = %v, want %v", got, bp)
	}
	// ContinueUntil stops at its kinds and at breakpoints, whichever
	// comes first.
	s.ContinueUntil(NewKindSet(PollEnded))
	expectStop(t, s, em, evs[4])
	s.ContinueUntil(NewKindSet(PollEnded))
	expectStop(t, s, em, evs[5]) // breakpoint Woken before PollEnded #9
	s.Continue()
	expectStop(t, s, em, evs[9]) // breakpoint Completed
	s.SetBreakpoints(0)
	s.Continue()
	em.wait(t)
}

func TestStepperBreakpointsRemoved(t *testing.T) {
	s := NewStepper()
	defer s.Detach()
	evs := kindEvents(lifeKinds...)
	em := emit(s, evs)
	expectStop(t, s, em, evs[0])
	s.SetBreakpoints(NewKindSet(Woken))
	s.SetBreakpoints(0)
	s.Continue()
	em.wait(t) // never stopped at Woken
}

func TestStepperDetachReleasesStopped(t *testing.T) {
	s := NewStepper()
	var seen atomic.Int64
	s.SetObserver(SinkFunc(func(*Event) { seen.Add(1) }))
	evs := kindEvents(lifeKinds...)
	em := emit(s, evs)
	expectStop(t, s, em, evs[0])

	detached := make(chan struct{})
	go func() { // from another goroutine, as a UI would
		defer close(detached)
		s.Detach()
	}()
	<-detached
	em.wait(t)
	if n := em.returned.Load(); n != int64(len(evs)) {
		t.Fatalf("%d events returned, want %d", n, len(evs))
	}
	if _, ok := <-s.Stops(); ok {
		t.Fatal("Stops not closed by Detach")
	}
	if !s.Detached() {
		t.Fatal("Detached() = false after Detach")
	}
	seenAtDetach := seen.Load()

	// Later events never block, and commands do nothing.
	s.Detach()
	s.Step()
	s.Pause()
	s.ContinueUntil(NewKindSet(Spawned))
	s.SetBreakpoints(NewKindSet(Spawned))
	s.Continue()
	s.Pause()
	for i := range evs {
		s.Event(&evs[i]) // on this goroutine: would hang the test if it blocked
	}
	if n := seen.Load(); n != seenAtDetach {
		t.Fatalf("observer saw %d events after Detach", n-seenAtDetach)
	}
}

func TestStepperDetachReleasesWaiters(t *testing.T) {
	s := NewStepper()
	var ems []*emitter
	for g := range 4 {
		evs := kindEvents(lifeKinds...)
		for i := range evs {
			evs[i].Exec = uint32(g + 1)
		}
		ems = append(ems, emit(s, evs))
	}
	nextStop(t, s) // one of them is stopped; the others wait or soon will
	s.Detach()
	for _, em := range ems {
		em.wait(t)
	}
}

func TestStepperPauseAfterContinue(t *testing.T) {
	s := NewStepper()
	defer s.Detach()
	obs := NewRecorder(16)
	s.SetObserver(obs)

	// A runtime driven one event at a time by the test.
	next := make(chan Event)
	returned := make(chan uint64)
	go func() {
		defer close(returned)
		for e := range next {
			s.Event(&e)
			returned <- e.Seq
		}
	}()
	evs := kindEvents(Spawned, Queued, PollStarted, PollEnded, Completed)

	next <- evs[0]
	if got := nextStop(t, s); got != evs[0] {
		t.Fatalf("stopped at %v, want %v", got, evs[0])
	}
	s.Continue()
	if seq := <-returned; seq != 1 {
		t.Fatalf("returned #%d, want #1", seq)
	}
	for _, e := range evs[1:3] { // run by
		next <- e
		if seq := <-returned; seq != e.Seq {
			t.Fatalf("returned #%d, want #%d", seq, e.Seq)
		}
	}
	s.Pause()
	next <- evs[3]
	if got := nextStop(t, s); got != evs[3] {
		t.Fatalf("after Pause stopped at %v, want %v", got, evs[3])
	}
	s.Pause() // while stopped: nothing to do, still stopped
	s.Step()
	if seq := <-returned; seq != 4 {
		t.Fatalf("returned #%d, want #4", seq)
	}
	next <- evs[4] // Step armed the Stepper again
	if got := nextStop(t, s); got != evs[4] {
		t.Fatalf("after Step stopped at %v, want %v", got, evs[4])
	}
	s.Continue()
	<-returned
	close(next)
	<-returned // closed: the runtime goroutine is gone

	if got := seqs(obs.Events()); len(got) != 5 {
		t.Fatalf("observer saw %v, want all 5 events", got)
	}
}

// TestStepperObserverFirst checks that the observer sees a stopped event
// before the stop is announced, and that it may command the Stepper.
func TestStepperObserverFirst(t *testing.T) {
	s := NewStepper()
	defer s.Detach()
	obs := NewRecorder(16)
	s.SetObserver(Tee(obs, SinkFunc(func(e *Event) {
		if e.Kind == Panicked {
			s.Pause() // an observer may command the Stepper
		}
	})))
	evs := kindEvents(Spawned, PollStarted, Panicked, Completed)
	em := emit(s, evs)
	expectStop(t, s, em, evs[0])
	if n := obs.Len(); n != 1 {
		t.Fatalf("observer saw %d events at the first stop, want 1", n)
	}
	s.Continue()
	expectStop(t, s, em, evs[2]) // the observer paused at Panicked
	if n := obs.Len(); n != 3 {
		t.Fatalf("observer saw %d events at the Panicked stop, want 3", n)
	}
	s.SetObserver(nil)
	s.Continue()
	em.wait(t)
	if n := obs.Len(); n != 3 {
		t.Fatalf("removed observer still saw events: %d", n)
	}
}

func TestStepperCommandsWhileNotStopped(t *testing.T) {
	s := NewStepper()
	s.Step()
	s.Pause()
	s.Continue()
	s.ContinueUntil(NewKindSet(Completed))
	s.SetBreakpoints(NewKindSet(Woken))
	s.Pause()
	s.Continue()
	s.Step()
	s.Continue()

	// Running with breakpoint Woken: these run by on this goroutine.
	for _, e := range kindEvents(Spawned, Queued, PollStarted) {
		s.Event(&e)
	}
	s.Step() // nothing stopped: the next event stops
	evs := kindEvents(Queued, PollStarted)
	em := emit(s, evs)
	expectStop(t, s, em, evs[0])
	// A Step whose stop nobody received clears it from Stops.
	s.Step()
	expectStop(t, s, em, evs[1])
	s.Continue()
	em.wait(t)
	s.Detach()
	s.Detach()
}

// TestStepperSerializes steps through events from several goroutines:
// exactly one is stopped at a time and each goroutine's events stop in
// its order.
func TestStepperSerializes(t *testing.T) {
	const emitters, perEmit = 4, 25
	s := NewStepper()
	defer s.Detach()
	var ems []*emitter
	for g := range emitters {
		evs := make([]Event, perEmit)
		for i := range evs {
			evs[i] = seqEvent(uint32(g+1), uint64(i+1))
		}
		ems = append(ems, emit(s, evs))
	}
	last := map[uint32]uint64{}
	for range emitters * perEmit {
		e := nextStop(t, s)
		if e.Seq != last[e.Exec]+1 {
			t.Fatalf("exec %d stopped at #%d after #%d", e.Exec, e.Seq, last[e.Exec])
		}
		last[e.Exec] = e.Seq
		if em := ems[e.Exec-1]; em.returned.Load() != int64(e.Seq-1) {
			t.Fatalf("exec %d stopped at #%d with %d returned", e.Exec, e.Seq, em.returned.Load())
		}
		if n := len(s.Stops()); n != 0 {
			t.Fatalf("%d more stops queued while stopped", n)
		}
		s.Step()
	}
	for _, em := range ems {
		em.wait(t)
	}
}

// TestStepperStress throws commands at a Stepper while several goroutines
// emit, for the race detector, and checks that Detach lets everyone finish.
func TestStepperStress(t *testing.T) {
	s := NewStepper()
	s.SetObserver(NewRecorder(64))
	s.SetBreakpoints(NewKindSet(Woken))
	var ems []*emitter
	for g := range 4 {
		evs := kindEvents(lifeKinds...)
		evs = append(evs, evs...)
		evs = append(evs, evs...)
		for i := range evs {
			evs[i].Exec = uint32(g + 1)
		}
		ems = append(ems, emit(s, evs))
	}
	var wg sync.WaitGroup
	for c := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				switch (i + c) % 5 {
				case 0:
					s.Step()
				case 1:
					s.Continue()
				case 2:
					s.Pause()
				case 3:
					s.ContinueUntil(NewKindSet(PollEnded))
				case 4:
					s.SetBreakpoints(NewKindSet(Completed))
				}
			}
		}()
	}
	// Play the controller until every emitter is done: whatever state the
	// commands leave behind, a stop is always released by the Step below.
	allDone := make(chan struct{})
	go func() {
		defer close(allDone)
		for _, em := range ems {
			<-em.done
		}
	}()
	stops := 0
loop:
	for {
		select {
		case _, ok := <-s.Stops():
			if !ok {
				t.Fatal("Stops closed before Detach")
			}
			stops++
			if stops%2 == 0 {
				s.Step()
			} else {
				s.Continue()
			}
		case <-allDone:
			break loop
		}
	}
	wg.Wait()
	s.Detach()
	t.Logf("%d stops", stops)
}

func TestStepperDetachedNoAlloc(t *testing.T) {
	s := NewStepper()
	s.Detach()
	e := Event{Seq: 1, Kind: Spawned}
	if n := testing.AllocsPerRun(100, func() { s.Event(&e) }); n != 0 {
		t.Fatalf("detached Stepper.Event allocates %v times per call", n)
	}
}

func BenchmarkStepperDetached(b *testing.B) {
	s := NewStepper()
	s.Detach()
	e := Event{Seq: 1, Exec: 1, Task: 7, Kind: PollStarted}
	b.ReportAllocs()
	for b.Loop() {
		s.Event(&e)
	}
}

// BenchmarkStepperRunning measures an attached Stepper in continue mode
// whose events all run by (no breakpoint hit).
func BenchmarkStepperRunning(b *testing.B) {
	s := NewStepper()
	s.Continue()
	e := Event{Seq: 1, Exec: 1, Task: 7, Kind: PollStarted}
	b.ReportAllocs()
	for b.Loop() {
		s.Event(&e)
	}
}
