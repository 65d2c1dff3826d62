package visual

import (
	"fmt"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	tea "charm.land/bubbletea/v2"

	"asyncworkbook/phases/trace"
)

// FeedCapacity bounds the events waiting between the runtime and the UI.
// Beyond it events are dropped (and counted), never waited for: the
// runtime must not wait on the screen.
const FeedCapacity = 4096

// Feed connects one run of a demo to the UI.
//
// The demo runs on its own goroutine with a trace.Stepper as its sink.
// The Stepper's observer is the Feed itself: for every event it appends
// a copy to a bounded buffer and signals a 1-slot channel, without ever
// blocking. On the UI side one tea.Cmd (Listen) waits for the signal, a
// stop of the Stepper or the end of the run, drains the whole buffer and
// returns it as one BatchMsg. So there is at most one message in flight
// per wake-up, however fast the runtime goes, and no p.Send per event.
//
// Ownership: buf and dropped are protected by mu (the runtime goroutine
// appends, the Listen goroutine drains). err is written by the run
// goroutine before it closes done, and read only after <-done: the close
// is the happens-before edge. releases is atomic: the UI bumps it on every
// command that releases a stop, the Listen goroutine reads it after
// receiving a stop, so the UI can tell a stop it already released.
//
// A Feed must be made with StartFeed. Its methods are safe for concurrent
// use.
type Feed struct {
	stepper *trace.Stepper
	signal  chan struct{} // capacity 1: "the buffer is not empty"
	done    chan struct{} // closed when the demo has returned

	mu      sync.Mutex
	buf     []trace.Event
	dropped int
	clocks  map[uint32]execClock // per executor: runtime time (see Event)

	err      error // the demo's result; read after <-done
	releases atomic.Uint64

	// Runtime time: while the runtime is stopped for the learner its
	// clock runs on, so event times would count the learner's pauses (an
	// op "in flight 2.0s"). paused is the total wall time, in ns, spent
	// stopped; stoppedAt the nowNS reading when the
	// current stop was seen, 0 when running. Both are written by the UI
	// goroutine (Listen's Cmd, a release) and paused is read by the
	// runtime's after a release, which the Stepper's mutex orders.
	paused    atomic.Int64
	stoppedAt atomic.Int64
}

// StartFeed runs run(stepper) on a new goroutine and returns its Feed.
// The Stepper starts armed: the demo stops at its first event. A panic in
// run becomes the run's error instead of killing the program (and leaving
// the terminal raw).
func StartFeed(breaks trace.KindSet, run func(trace.Sink) error) *Feed {
	f := &Feed{
		stepper: trace.NewStepper(),
		signal:  make(chan struct{}, 1),
		done:    make(chan struct{}),
	}
	f.stepper.SetBreakpoints(breaks)
	f.stepper.SetObserver(f)
	go func() {
		defer close(f.done)
		defer func() {
			if r := recover(); r != nil {
				f.err = fmt.Errorf("the demo panicked: %v\n%s", r, debug.Stack())
			}
		}()
		f.err = run(f.stepper)
	}()
	return f
}

// Event is the Stepper's observer: it runs on the runtime's goroutine,
// before the Stepper possibly blocks it, and never blocks itself.
func (f *Feed) Event(e *trace.Event) {
	f.mu.Lock()
	first := len(f.buf) == 0 && f.dropped == 0
	if len(f.buf) < FeedCapacity {
		if f.buf == nil {
			f.buf = make([]trace.Event, 0, 256)
		}
		f.buf = append(f.buf, *e)
		// Runtime time: the pauses since this executor's first event
		// taken out (each executor's clock starts at its own start).
		// An event carries the clock reading of the last turn, poll or
		// park: one the same as the event before keeps its runtime time
		// (the pause since came after that reading), and runtime time
		// never goes back.
		p := f.paused.Load()
		c, seen := f.clocks[e.Exec]
		if !seen {
			if f.clocks == nil {
				f.clocks = map[uint32]execClock{}
			}
			c = execClock{base: p, raw: -1}
		}
		adj := c.adj
		if e.Time != c.raw {
			adj = max(e.Time-(p-c.base), c.adj)
		}
		c.raw, c.adj = e.Time, adj
		f.clocks[e.Exec] = c
		f.buf[len(f.buf)-1].Time = adj
	} else {
		f.dropped++
	}
	f.mu.Unlock()
	if !first {
		return // the buffer was not empty: its wake-up is already pending
	}
	select {
	case f.signal <- struct{}{}:
	default: // a wake-up is already pending; it will drain this event too
	}
}

func (f *Feed) drain() ([]trace.Event, int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	evs, d := f.buf, f.dropped
	f.buf, f.dropped = nil, 0
	return evs, d
}

// BatchMsg carries the events drained in one wake-up.
type BatchMsg struct {
	// Feed is the run the batch comes from: a visualiser drops batches
	// of runs it restarted (or of another visualiser).
	Feed    *Feed
	Events  []trace.Event
	Dropped int
	// Stop is set when the runtime is stopped at Stop (which is the last
	// of Events, or was delivered in an earlier batch). Releases is the
	// Feed's release count when the stop was seen: if the UI released
	// since, the stop is stale.
	Stop     *trace.Event
	Releases uint64
	// Done is set when the demo has returned; Err is what it returned.
	Done bool
	Err  error
	// Closed is set when the Feed was detached (restart, leaving).
	Closed bool
}

// FramePeriod paces batches while the runtime runs freely: after the
// first new event, Listen waits this long (or until the runtime stops or
// ends) before draining, so the UI takes one batch per frame instead of
// one per event. Ingesting costs the UI far more per event than the
// runtime spends making it; pacing keeps the UI's work — and its garbage
// — from slowing the runtime it is showing (BenchmarkPlayMode).
var FramePeriod = 16 * time.Millisecond

// Listen returns the Cmd that waits for the next batch. The UI issues it
// again after handling each BatchMsg, until Done or Closed.
func (f *Feed) Listen() tea.Cmd {
	return func() tea.Msg {
		var frame <-chan time.Time // armed by the first event of a batch
		for {
			select {
			case <-f.signal:
				if frame == nil {
					t := time.NewTimer(FramePeriod)
					defer t.Stop()
					frame = t.C
				}
			case <-frame:
				if evs, d := f.drain(); len(evs) > 0 || d > 0 {
					return BatchMsg{Feed: f, Events: evs, Dropped: d}
				}
				frame = nil
			case e, ok := <-f.stepper.Stops():
				if !ok {
					return BatchMsg{Feed: f, Closed: true}
				}
				// The observer saw e before the stop was announced, so
				// e is in this drain or an earlier one.
				rel := f.releases.Load()
				f.stoppedAt.CompareAndSwap(0, max(nowNS(), 1))
				evs, d := f.drain()
				return BatchMsg{Feed: f, Events: evs, Dropped: d, Stop: &e, Releases: rel}
			case <-f.done:
				evs, d := f.drain()
				return BatchMsg{Feed: f, Events: evs, Dropped: d, Done: true, Err: f.err}
			}
		}
	}
}

// execClock turns an executor's event times into runtime time.
type execClock struct {
	base int64 // paused when the executor's first event came
	raw  int64 // the last event's own Time
	adj  int64 // and its runtime time
}

// clockStart and nowNS are the clock pauses are measured on (monotonic
// ns); tests replace nowNS.
var (
	clockStart = time.Now()
	nowNS      = func() int64 { return int64(time.Since(clockStart)) }
)

// release counts a release and ends the current pause: its length is
// taken out of the times of the events that follow.
func (f *Feed) release() {
	f.releases.Add(1)
	if at := f.stoppedAt.Swap(0); at != 0 {
		f.paused.Add(nowNS() - at)
	}
}

// Releases returns how many releasing commands the UI has issued.
func (f *Feed) Releases() uint64 { return f.releases.Load() }

// Step releases the runtime for one event.
func (f *Feed) Step() { f.release(); f.stepper.Step() }

// Continue lets the runtime run, stopping only at breakpoints.
func (f *Feed) Continue() { f.release(); f.stepper.Continue() }

// ContinueUntil lets the runtime run to the next event of one of kinds.
func (f *Feed) ContinueUntil(kinds trace.KindSet) {
	f.release()
	f.stepper.ContinueUntil(kinds)
}

// Pause makes the runtime stop at its next event.
func (f *Feed) Pause() { f.stepper.Pause() }

// SetBreakpoints sets the kinds the runtime stops at while running.
func (f *Feed) SetBreakpoints(k trace.KindSet) { f.stepper.SetBreakpoints(k) }

// Detach lets the demo run to its end unobserved, so its goroutine
// finishes; the Feed's Listen returns Closed.
func (f *Feed) Detach() { f.stepper.Detach() }

// Done returns a channel closed when the demo has returned.
func (f *Feed) Done() <-chan struct{} { return f.done }
