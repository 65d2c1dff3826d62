package trace

import (
	"sync"
	"sync/atomic"
)

// Stepper is a Sink that turns a runtime into something you can single-step.
// Event blocks the goroutine that emitted the event (the runtime) until the
// controller (a UI, a test) says go on: step to the next event, continue
// freely, continue until some kind of event, or detach for good.
//
// # States
//
// A Stepper is in one of four states. "Armed" means the next event stops,
// whatever its kind; "running(K)" means the next event whose kind is in K or
// in the breakpoints B stops, and the others run by; "stopped" means one
// emitter is blocked in Event and its event has been sent on Stops;
// "detached" is final. A new Stepper is armed.
//
//	state       input                       new state
//	---------   -------------------------   ------------------------------
//	armed       event e                     stopped at e
//	running(K)  event e, e.Kind in K∪B      stopped at e
//	running(K)  event e, otherwise          running(K)  (e runs by)
//	stopped     event from another emitter  stopped     (emitter waits)
//	any¹        Step                        armed       (releases a stop)
//	any¹        Continue                    running(∅)  (releases a stop)
//	any¹        ContinueUntil(K)            running(K)  (releases a stop)
//	armed       Pause                       armed
//	running(K)  Pause                       armed
//	stopped     Pause                       stopped     (nothing to do)
//	any¹        SetBreakpoints(B)           same state, new B
//	any         Detach                      detached    (releases everyone)
//	detached    anything                    detached    (events run by)
//
//	¹ any state but detached: commands after Detach do nothing.
//
// Commands never wait for the runtime (they only take a short internal
// lock) and never panic, whatever the state: Step with nothing stopped just
// means "stop at the next event", and so on.
//
// # Several emitters
//
// When several goroutines emit events (several executors, or wakers fired
// from outside the runtime), the Stepper serializes them: only one event is
// stopped at a time. While one is stopped, every other goroutine that emits
// an event waits in Event, whatever the kind of its event, so the whole
// traced world stands still ("all-stop", as debuggers say). When the stop is
// released, the waiting emitters re-check the new state: after Continue they
// run by, after Step one of them (unspecified which) becomes the next stop.
//
// The controller must not emit events itself: a goroutine that blocks in
// Event cannot also call Step.
//
// # Observer
//
// SetObserver installs a sink that sees every event, stopped or not,
// before the Stepper possibly blocks, so a UI can list the events that ran
// by in continue mode. After Detach the observer sees nothing more: a
// detached Stepper costs one atomic load per event. To keep watching after
// Detach, give the runtime Tee(observer, stepper) instead.
//
// A Stepper is safe for concurrent use. It must be created with NewStepper;
// the zero value is not usable. A Stepper must not be copied.
type Stepper struct {
	// detached mirrors state == stepDetached so that Event can return
	// after one atomic load once the Stepper is detached.
	detached atomic.Bool
	observer atomic.Pointer[Sink]

	mu     sync.Mutex
	cond   sync.Cond // L is &mu; signalled whenever a stop is released
	state  stepState
	until  KindSet    // running: kinds to stop at, besides breaks
	breaks KindSet    // breakpoints, honoured in the running state
	gen    uint64     // counts released stops
	stops  chan Event // capacity 1; holds a value only while stopped
}

type stepState uint8

const (
	stepArmed stepState = iota
	stepRunning
	stepStopped
	stepDetached
)

// NewStepper returns a Stepper in the armed state: the first event stops.
func NewStepper() *Stepper {
	s := &Stepper{stops: make(chan Event, 1)}
	s.cond.L = &s.mu
	return s
}

// Stops returns the channel on which the Stepper sends each event it stops
// at, at the moment it stops. While the event is on the channel (or has
// been received) its emitter is blocked in Event, waiting for Step,
// Continue, ContinueUntil or Detach.
//
// The channel has capacity 1 and holds a value only while the runtime is
// stopped: a command that releases a stop whose event nobody received
// takes that event off the channel, so a value read from Stops is never
// stale by more than the race between reading it and another goroutine's
// command. Detach closes the channel.
func (s *Stepper) Stops() <-chan Event { return s.stops }

// Event implements Sink. It forwards e to the observer, then, if the
// Stepper's state says so, blocks until the controller releases it (see the
// table on Stepper). Once the Stepper is detached, Event returns after one
// atomic load.
func (s *Stepper) Event(e *Event) {
	if s.detached.Load() {
		return
	}
	s.event(e) // kept out of line so that Event itself can be inlined
}

// event is Event for a Stepper that was attached when Event looked.
func (s *Stepper) event(e *Event) {
	if o := s.observer.Load(); o != nil {
		(*o).Event(e)
	}
	s.mu.Lock()
	for {
		switch s.state {
		case stepDetached:
			s.mu.Unlock()
			return
		case stepStopped:
			// Another emitter is stopped: wait for it to be released,
			// then look at the new state.
			s.cond.Wait()
			continue
		case stepRunning:
			if !(s.until | s.breaks).Has(e.Kind) {
				s.mu.Unlock()
				return
			}
		}
		break
	}
	s.state = stepStopped
	gen := s.gen
	// Every release drains the channel and only one emitter is stopped at
	// a time, so the channel is empty here and the send cannot block. The
	// drain before it only guards that invariant.
	select {
	case <-s.stops:
	default:
	}
	s.stops <- *e
	for s.gen == gen {
		s.cond.Wait()
	}
	s.mu.Unlock()
}

// releaseLocked ends the current stop, if any: it takes the event off the
// Stops channel if nobody received it, and wakes the stopped emitter and
// every emitter waiting for its turn. The caller holds s.mu and sets the
// new state.
func (s *Stepper) releaseLocked() {
	if s.state != stepStopped {
		return
	}
	select {
	case <-s.stops:
	default:
	}
	s.gen++
	s.cond.Broadcast()
}

// command applies a state change under the lock unless detached.
func (s *Stepper) command(f func()) {
	s.mu.Lock()
	if s.state != stepDetached {
		f()
	}
	s.mu.Unlock()
}

// Step releases the stopped runtime, which stops again at the next event.
// With nothing stopped it arms the Stepper: the next event stops.
func (s *Stepper) Step() {
	s.command(func() {
		s.releaseLocked()
		s.state = stepArmed
	})
}

// Continue releases the stopped runtime and lets it run freely: events run
// by until Pause is called, except that the Stepper still stops at events
// whose kind is a breakpoint (see SetBreakpoints).
func (s *Stepper) Continue() {
	s.ContinueUntil(0)
}

// ContinueUntil releases the stopped runtime and lets it run until an event
// whose kind is in kinds, or is a breakpoint, at which it stops. An empty
// kinds makes it the same as Continue.
func (s *Stepper) ContinueUntil(kinds KindSet) {
	s.command(func() {
		s.releaseLocked()
		s.state = stepRunning
		s.until = kinds
	})
}

// Pause makes the next event stop. It does not release a stopped runtime:
// Pause while stopped does nothing.
func (s *Stepper) Pause() {
	s.command(func() {
		if s.state == stepRunning {
			s.state = stepArmed
		}
	})
}

// SetBreakpoints replaces the set of breakpoint kinds: while running (after
// Continue or ContinueUntil) the Stepper stops at every event whose kind is
// in kinds. It changes nothing else; in particular it does not release a
// stopped runtime. The empty set removes every breakpoint.
func (s *Stepper) SetBreakpoints(kinds KindSet) {
	s.command(func() { s.breaks = kinds })
}

// Breakpoints returns the current set of breakpoint kinds.
func (s *Stepper) Breakpoints() KindSet {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.breaks
}

// SetObserver makes every later event, stopped or not, go to o before the
// Stepper possibly blocks. o runs on the emitting goroutine, outside the
// Stepper's lock, so it may call the Stepper's commands; it must be safe
// for concurrent use if several goroutines emit. A nil o removes the
// observer. The observer sees nothing after Detach.
func (s *Stepper) SetObserver(o Sink) {
	if o == nil {
		s.observer.Store(nil)
		return
	}
	s.observer.Store(&o)
}

// Detach releases the stopped runtime and every emitter waiting for its
// turn, and makes the Stepper a pass-through for good: afterwards Event
// returns at once and no command has any effect. Detach closes the Stops
// channel. It may be called from any goroutine, any number of times.
func (s *Stepper) Detach() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.state == stepDetached {
		return
	}
	s.releaseLocked()
	s.state = stepDetached
	s.detached.Store(true)
	close(s.stops)
}

// Detached reports whether Detach has been called.
func (s *Stepper) Detached() bool { return s.detached.Load() }
