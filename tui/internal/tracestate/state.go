// Package tracestate rebuilds what a runtime looks like — its tasks, its
// run queue, the phase of its loop — from the trace events it emitted.
//
// # Why a pure type
//
// The visualiser never looks inside a runtime: it only sees events, and
// everything it draws is a function of the events seen so far. Keeping
// that function in one plain type, with no goroutines, no terminal and no
// clock, makes it testable event by event, lets the visualiser step
// *back* (rebuild from a snapshot and replay), and makes it cheap enough
// to ingest a runtime running at full speed.
//
// # How each event moves a task
//
//	event            task status after          other effects
//	---------------  -------------------------  --------------------------------
//	Spawned          queued if its Queue > 0,   task appears in the table
//	                 else pending               (and at the back of the queue)
//	Queued           queued                     pushed at the back of the queue
//	PollStarted      running                    taken off the queue; polls+1
//	WakerRegistered  running                    holder recorded for this poll
//	PollEnded ready  running (Completed next)
//	PollEnded !ready pending                    stuck if no waker was handed
//	                                            over and no wake came during
//	                                            the poll (a lost wakeup)
//	Woken            unchanged                  wakes+1, last waker; not stuck
//	Completed        done                       off the queue
//	Cancelled        cancelled                  off the queue
//	Panicked         panicked                   off the queue
//
// Executor-wide events move the loop phase: Turn starts a turn, a poll is
// the "poll" phase, Parked is "park", Unparked is "wake".
//
// Phase-2 events (SQEPrepared, Submitted, CQEReaped, OpCancelled) move the
// io_uring part of the state, Ring: see ring.go.
//
// A State is not safe for concurrent use. The zero value is an empty
// state, ready to use.
package tracestate

import (
	"maps"
	"slices"
	"strings"

	"asyncworkbook/phases/trace"
)

// Status is a task's state as the trace shows it.
type Status uint8

// Task statuses.
const (
	Pending   Status = iota // waiting for a waker (or spawned, not yet queued)
	Queued                  // on the run queue
	Running                 // being polled
	Done                    // completed
	Cancelled               // cancelled
	Panicked                // its Poll panicked
)

var statusGlyphs = [...]string{"○", "◆", "▶", "✓", "✗", "‼"}
var statusWords = [...]string{"pending", "queued", "running", "done", "cancelled", "panicked"}

// Glyph returns a one-cell symbol for the status.
func (s Status) Glyph() string { return statusGlyphs[s] }

// Word returns the status as a word.
func (s Status) Word() string { return statusWords[s] }

// String returns glyph and word, "◆ queued": readable without colour.
func (s Status) String() string { return statusGlyphs[s] + " " + statusWords[s] }

// Finished reports whether the task is done, cancelled or panicked.
func (s Status) Finished() bool { return s >= Done }

// Key names a task: task ids are per executor.
type Key struct {
	Exec uint32
	Task uint64
}

// Task is one task's row in the table.
type Task struct {
	Key
	Name      string
	Status    Status
	Polls     int
	Wakes     int
	LastWaker string   // who fired its waker last: "T2", "timer", "goroutine", "CQE"...
	Holder    string   // who was handed its waker last
	Holders   []string // everyone holding its waker now: added when handed, removed when fired
	Note      string   // panic value
	// Stuck: the task's last poll returned Pending without handing its
	// waker to anyone, and nothing has woken it since: a lost wakeup.
	Stuck bool
	// NoWaker: the poll that just ended returned Pending without handing
	// out its waker. It becomes Stuck with the next event, unless that
	// event is the task's panic: an executor that catches a panic may
	// first record the poll as ended pending (older traces do), and a
	// panic is not a lost wakeup.
	NoWaker bool

	registered  bool // a WakerRegistered happened during the current poll
	wokenInPoll bool // a Woken happened during the current poll
	main        bool // spawned by the executor itself: BlockOn's main task
}

// LoopPhase is where the executor's loop is.
type LoopPhase uint8

// Loop phases, in the order a turn goes through them.
const (
	PhaseIdle LoopPhase = iota // nothing seen yet
	PhaseTurn                  // a turn started
	PhasePoll                  // polling a task
	PhasePark                  // parked in the driver
	PhaseWake                  // woken up out of the driver
	PhaseDone                  // the main task has finished
)

var phaseNames = [...]string{"idle", "turn", "poll", "park", "wake", "done"}

// String names the phase.
func (p LoopPhase) String() string { return phaseNames[p] }

// State is the runtime as rebuilt from the events applied so far.
type State struct {
	Tasks   []Task // in order of first appearance
	Queue   []Key  // the run queue, front first
	Phase   LoopPhase
	Turns   int
	Parks   int
	Events  int         // how many events were applied
	Last    trace.Event // the last event applied
	Current Key         // the task being polled, or the zero Key
	Ring    Ring        // phase 2: the io_uring rings (ring.go)
	Sched   Sched       // phase 3: the task queues (queue.go)
	execs   []uint32    // executors seen, in order
	noWaker []Key       // tasks whose NoWaker the next event settles
	index   map[Key]int // Key → position in Tasks
}

// Clone returns a deep copy of s, for snapshots.
func (s *State) Clone() *State {
	c := *s
	c.Tasks = append([]Task(nil), s.Tasks...)
	for i := range c.Tasks {
		c.Tasks[i].Holders = slices.Clone(c.Tasks[i].Holders)
	}
	c.Queue = append([]Key(nil), s.Queue...)
	c.execs = append([]uint32(nil), s.execs...)
	c.noWaker = append([]Key(nil), s.noWaker...)
	c.index = maps.Clone(s.index)
	c.Ring = s.Ring.clone()
	c.Sched = s.Sched.clone()
	return &c
}

// Task returns the task with key k, or nil. The pointer is valid until
// the next Apply.
func (s *State) Task(k Key) *Task {
	if i, ok := s.index[k]; ok {
		return &s.Tasks[i]
	}
	return nil
}

// MultiExec reports whether events from more than one executor were seen,
// in which case labels name the executor too.
func (s *State) MultiExec() bool { return len(s.execs) > 1 }

// Stuck returns the tasks currently flagged as stuck.
func (s *State) Stuck() []Key {
	var out []Key
	for _, t := range s.Tasks {
		if t.Stuck {
			out = append(out, t.Key)
		}
	}
	return out
}

// task returns the task for e, creating it if its Spawned event was never
// seen (events can be dropped).
func (s *State) task(e *trace.Event) *Task {
	k := Key{e.Exec, e.Task}
	if i, ok := s.index[k]; ok {
		return &s.Tasks[i]
	}
	if s.index == nil {
		s.index = make(map[Key]int)
	}
	s.index[k] = len(s.Tasks)
	s.Tasks = append(s.Tasks, Task{Key: k})
	return &s.Tasks[len(s.Tasks)-1]
}

func (s *State) unqueue(k Key) {
	for i, q := range s.Queue {
		if q == k {
			s.Queue = append(s.Queue[:i], s.Queue[i+1:]...)
			return
		}
	}
}

// Apply moves the state past one event (see the table in the package
// documentation). It never fails: events it cannot make sense of (their
// task unknown, a queue entry missing) are applied as well as they can.
// It fills in an OpCancelled's Op and FD from its SQE when e lacks them.
func (s *State) Apply(e *trace.Event) {
	s.Events++
	s.Last = *e
	s.settleNoWaker(e)
	if n := len(s.execs); n == 0 || s.execs[n-1] != e.Exec {
		s.noteExec(e.Exec)
	}
	switch e.Kind {
	case trace.SQEPrepared, trace.Submitted, trace.CQEReaped, trace.OpCancelled, trace.Woken,
		trace.BufsRecycled, trace.SlotsUpdated:
		s.applyRing(e)
	case trace.QueueSelected, trace.SliceEnded, trace.Preempted, trace.ParkedUntil, trace.Parked,
		trace.Unparked, trace.EventfdWake, trace.Stall:
		s.applySched(e)
	}
	switch e.Kind {
	case trace.Turn:
		s.Phase = PhaseTurn
		s.Turns++
		return
	case trace.Parked:
		s.Phase = PhasePark
		s.Parks++
		return
	case trace.Unparked:
		s.Phase = PhaseWake
		return
	}
	if e.Task == 0 {
		return
	}
	t := s.task(e)
	switch e.Kind {
	case trace.Spawned:
		t.Name = e.Name
		t.main = e.By == trace.SourceExecutor // BlockOn's own task
		if e.Queue > 0 && t.Status != Queued {
			// Spawned with a queue length: spawned straight onto the run
			// queue (no separate Queued event follows).
			t.Status = Queued
			s.Queue = append(s.Queue, t.Key)
		}
	case trace.Queued:
		t.Stuck = false
		if t.Status != Queued { // a task is on the queue at most once
			t.Status = Queued
			s.Queue = append(s.Queue, t.Key)
		}
	case trace.PollStarted:
		s.unqueue(t.Key)
		t.Status = Running
		t.Polls++
		t.registered, t.wokenInPoll = false, false
		s.Phase = PhasePoll
		s.Current = t.Key
	case trace.WakerRegistered:
		t.registered = true
		t.Holder = e.Holder
		if t.Holder == "" {
			t.Holder = "(unnamed)" // Context.Waker() names no holder
		}
		if !slices.Contains(t.Holders, t.Holder) {
			t.Holders = append(t.Holders, t.Holder)
		}
	case trace.Woken:
		t.Wakes++
		t.LastWaker = s.sourceLabel(e)
		t.Holders = dropFiredHolder(t.Holders, t.LastWaker)
		t.Stuck = false
		if t.Status == Running {
			t.wokenInPoll = true
		}
	case trace.PollEnded:
		s.Current = Key{}
		if !e.Ready {
			t.Status = Pending
			// A poll ended by a panic (Note says so) lost no wakeup.
			t.NoWaker = !t.registered && !t.wokenInPoll && !strings.Contains(e.Note, "panic")
			t.Stuck = false
			if t.NoWaker {
				s.noWaker = append(s.noWaker, t.Key)
			}
		}
	case trace.Completed, trace.Cancelled, trace.Panicked:
		s.unqueue(t.Key)
		t.Holders = nil // a finished task's waker wakes nothing
		t.Stuck = false
		switch e.Kind {
		case trace.Completed:
			t.Status = Done
		case trace.Cancelled:
			t.Status = Cancelled
		case trace.Panicked:
			t.Status = Panicked
			t.Note = e.Note
		}
		if s.Current == t.Key {
			s.Current = Key{}
		}
		if t.main {
			// BlockOn's loop ends with its main task.
			s.Phase = PhaseDone
		}
	}
}

// dropFiredHolder removes the holder that fired a waker: the one whose
// name is the waker's source ("timer", "T2" in "join handle T2"), or, when
// none matches (a goroutine, an unnamed holder), every holder: the wake
// has happened, and a waker kept after it wakes nothing new.
func dropFiredHolder(holders []string, by string) []string {
	for i, h := range holders {
		if h == by || strings.HasSuffix(h, " "+by) || strings.HasPrefix(h, by+" ") || strings.Contains(h, "("+by+")") {
			return slices.Delete(slices.Clone(holders), i, i+1)
		}
	}
	return nil
}

// settleNoWaker turns the NoWaker of the poll before e into Stuck, unless
// e is that task's panic (or anything that wakes or ends it, which the
// cases of Apply handle after this).
func (s *State) settleNoWaker(e *trace.Event) {
	if len(s.noWaker) == 0 {
		return
	}
	for _, k := range s.noWaker {
		t := s.Task(k)
		if t == nil || !t.NoWaker {
			continue
		}
		t.NoWaker = false
		if !(e.Kind == trace.Panicked && k == (Key{e.Exec, e.Task})) {
			t.Stuck = true
		}
	}
	s.noWaker = s.noWaker[:0]
}

func (s *State) noteExec(x uint32) {
	for _, have := range s.execs {
		if have == x {
			return
		}
	}
	s.execs = append(s.execs, x)
}

// ID returns the task's id on its executor.
func (t *Task) ID() uint64 { return t.Key.Task }
