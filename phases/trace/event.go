package trace

import (
	"fmt"
	"strings"
)

// Kind names what happened. Kinds are small integers so a KindSet fits in
// one word; on the wire (JSON lines) they travel by name, so adding a kind
// never changes the meaning of a recorded file.
type Kind uint8

// Phase-1 kinds: the life of a task on a single executor.
const (
	KindInvalid Kind = iota

	// Spawned: a task was created and put on the run queue for its first
	// poll (no separate Queued follows). Name carries the task's name,
	// Queue the run-queue length, By and From who spawned it.
	Spawned
	// PollStarted: the executor is about to call the task's Poll.
	PollStarted
	// PollEnded: Poll returned. Ready tells which way. A poll that
	// panics does not return: it ends with Panicked instead, never with
	// a PollEnded (which, pending, would read as a lost wakeup).
	PollEnded
	// WakerRegistered: during a poll the task handed its waker to a holder
	// (a timer, a channel, another task's join handle...). Holder names it.
	// A task that returns Pending without any WakerRegistered in that poll
	// can never be woken: a lost wakeup.
	WakerRegistered
	// Woken: a waker fired. By says who fired it, From which task when By
	// is SourceTask. A wake that finds the task already queued is still
	// reported, with Note "coalesced".
	Woken
	// Queued: the task was put on the run queue. Queue is the queue's
	// length after the push.
	Queued
	// Cancelled: the task was cancelled; its future was dropped without
	// being polled again.
	Cancelled
	// Panicked: the task's Poll panicked; this ends the poll. Note carries
	// the panic value. A panic raised while a cancelled task was torn down
	// (a deferred function of its coroutine, a Drop) is reported too, with
	// a Note saying so, after the task's Cancelled.
	Panicked
	// Completed: the task finished and its output went to the join handle.
	// Note says when a cancel came too late (completion wins).
	Completed
	// Parked: the executor has nothing to run and sleeps in its driver.
	Parked
	// Unparked: the executor woke up. Note carries the reason.
	Unparked
	// Turn: the executor starts a loop turn. Queue is the number of ready
	// tasks it will poll in this turn.
	Turn

	// Phase-2 kinds: the io_uring rings.

	// SQEPrepared: a task filled an SQE. Op names the opcode, UserData and
	// FD say which request and descriptor; Task is the task that asked.
	SQEPrepared
	// Submitted: one io_uring_enter submitted Count SQEs (and, when Note
	// says "wait", waited for completions).
	Submitted
	// CQEReaped: a completion came back: UserData, Res (the result or
	// -errno), Op; Task is the task it wakes (0 when nobody waits: an
	// orphan of a cancelled future, or the reactor's own eventfd read).
	CQEReaped
	// OpCancelled: an in-flight op was abandoned and IORING_OP_ASYNC_CANCEL
	// submitted for it; its memory stays pinned until its CQE arrives.
	OpCancelled

	// Phase-3 kinds: task queues, preemption, timers, parking, stalls.

	// QueueSelected: the scheduler started a slice of the queue Name.
	// Queues holds every queue as it stood (vruntime, shares, ready
	// tasks), Dur the slice's length, Note why the previous run stopped.
	QueueSelected
	// SliceEnded: the run of queue Name stopped; Note says why (ran dry,
	// slice expired, budget spent, yielded, preempted, parking), Dur how
	// long it ran.
	SliceEnded
	// Yielded: task Task gave the CPU back because NeedPreempt said so.
	Yielded
	// Preempted: a latency-matters queue (Name) woke up while another
	// ran; the running queue stops at the next Pop.
	Preempted
	// TimerArmed: task Task put a timer in the wheel, due in Dur ns.
	TimerArmed
	// TimerFired: a timer of the wheel fired, waking task Task.
	TimerFired
	// TimerCancelled: a timer left the wheel before firing (its future
	// was dropped: a Timeout won, a Select lost).
	TimerCancelled
	// ParkedUntil: the executor sleeps until its next timer, Dur ns
	// away: one kernel timeout for the whole park.
	ParkedUntil
	// EventfdWake: a goroutine outside the executor (Note says which)
	// woke it while it was parked: the one case that costs a system call.
	EventfdWake
	// Stall: task Task of queue Name has been in one poll for Dur ns
	// (reported by the watchdog while it lasts; Note has details).
	Stall

	// Phase-4 kinds: a pool of executors. Executors are named by their
	// Exec id; Peer is the executor at the other end.

	// ExecutorStarted: a pool executor runs on its own locked thread.
	// Index is its place in the pool, CPUs where it is pinned ("" when
	// unbound), Thread its OS thread id, Note its ring.
	ExecutorStarted
	// MsgSent: a task posted a message to executor Peer. Op says
	// "request" or "answer", Req which SubmitTo, Depth the slots it holds
	// towards Peer now (published, pushed and backlogged). Not yet
	// visible to Peer: MsgFlushed publishes it.
	MsgSent
	// MsgFlushed: the messages posted towards Peer this turn were
	// published with one store. Count is how many, Depth the slots in use.
	MsgFlushed
	// MsgWake: publishing found Peer's mailbox waiting for messages and
	// fired its waker; that costs Peer's eventfd write (a system call)
	// only if Peer is parked. No MsgWake: the receiver was not waiting.
	MsgWake
	// MsgReceived: a message from executor Peer was taken off the
	// channel. Op and Req as for MsgSent; Depth is what is left to take.
	MsgReceived
	// SubmitStarted: task Task asked executor Peer to run work (SubmitTo).
	// Req is the request's number on this executor, Count the requests
	// now open towards Peer.
	SubmitStarted
	// SubmitWaiting: task Task's SubmitTo found MaxInFlight (Count)
	// requests open towards Peer and waits for one to be answered.
	SubmitWaiting
	// SubmitAnswered: the answer to request Req came back from Peer.
	// Note carries its error, if any.
	SubmitAnswered
	// StopAccepting: the executor saw Shutdown begin; work from outside
	// is refused from now on. Count is its live tasks.
	StopAccepting
	// Draining: the executor waits for the pool's tasks to finish before
	// the deadline. Count is its own live tasks.
	Draining
	// DeadlinePassed: the shutdown deadline came with Count tasks still
	// live here; they are cancelled.
	DeadlinePassed
	// ExecutorClosed: the executor closed its ring and ended. Count is
	// the tasks it cancelled; Note says drained or not.
	ExecutorClosed
	// PlacementPlanned: a placement's dry run. Name is the placement and
	// the machine, CPUs each executor's CPUs (" | " between executors,
	// "-" for not pinned), Note the usable CPUs or why it is impossible.
	PlacementPlanned

	// Phase-2 fast-path kinds (issue 10), after phase 4's so no kind is
	// renumbered. Both change something the ring's SQEs and CQEs do not
	// show; the ring-carrying events (SQE prepared, submitted, CQE reaped)
	// carry Bufs and Files too.

	// BufsRecycled: a reader gave Count provided buffers back to the
	// kernel's provided-buffer ring (its tail moved: no system call).
	// Bufs is the ring after.
	BufsRecycled
	// SlotsUpdated: registered-file slots were filled or emptied outside
	// the ring (IORING_REGISTER_FILES_UPDATE, a system call): Note says
	// which and why, FD the descriptor put in (-1: emptied). Files is the
	// table after.
	SlotsUpdated

	kindCount // keep last: the number of kinds
)

var kindNames = [...]string{
	KindInvalid:      "invalid",
	Spawned:          "spawned",
	PollStarted:      "poll-started",
	PollEnded:        "poll-ended",
	WakerRegistered:  "waker-registered",
	Woken:            "woken",
	Queued:           "queued",
	Cancelled:        "cancelled",
	Panicked:         "panicked",
	Completed:        "completed",
	Parked:           "parked",
	Unparked:         "unparked",
	Turn:             "turn",
	SQEPrepared:      "sqe-prepared",
	Submitted:        "submitted",
	CQEReaped:        "cqe-reaped",
	OpCancelled:      "op-cancelled",
	QueueSelected:    "queue-selected",
	SliceEnded:       "slice-ended",
	Yielded:          "yielded",
	Preempted:        "preempted",
	TimerArmed:       "timer-armed",
	TimerFired:       "timer-fired",
	TimerCancelled:   "timer-cancelled",
	ParkedUntil:      "parked-until",
	EventfdWake:      "eventfd-wake",
	Stall:            "stall",
	ExecutorStarted:  "executor-started",
	MsgSent:          "msg-sent",
	MsgFlushed:       "msg-flushed",
	MsgWake:          "msg-wake",
	MsgReceived:      "msg-received",
	SubmitStarted:    "submit-started",
	SubmitWaiting:    "submit-waiting",
	SubmitAnswered:   "submit-answered",
	StopAccepting:    "stop-accepting",
	Draining:         "draining",
	DeadlinePassed:   "deadline-passed",
	ExecutorClosed:   "executor-closed",
	PlacementPlanned: "placement-planned",
	BufsRecycled:     "bufs-recycled",
	SlotsUpdated:     "slots-updated",
}

// Kinds lists every valid kind in declaration order.
func Kinds() []Kind {
	ks := make([]Kind, 0, kindCount-1)
	for k := Kind(1); k < kindCount; k++ {
		ks = append(ks, k)
	}
	return ks
}

// String returns the kind's wire name, such as "poll-started".
func (k Kind) String() string {
	if k < kindCount {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool { return k > KindInvalid && k < kindCount }

// ParseKind returns the kind with the given wire name.
func ParseKind(name string) (Kind, error) {
	for k := Kind(1); k < kindCount; k++ {
		if kindNames[k] == name {
			return k, nil
		}
	}
	return KindInvalid, fmt.Errorf("trace: unknown event kind %q", name)
}

// MarshalText encodes the kind by name.
func (k Kind) MarshalText() ([]byte, error) {
	if !k.Valid() {
		return nil, fmt.Errorf("trace: cannot encode invalid kind %d", uint8(k))
	}
	return []byte(kindNames[k]), nil
}

// UnmarshalText decodes a kind from its name.
func (k *Kind) UnmarshalText(b []byte) error {
	v, err := ParseKind(string(b))
	if err != nil {
		return err
	}
	*k = v
	return nil
}

// KindSet is a set of kinds, one bit each. The zero value is the empty set.
type KindSet uint64

// NewKindSet returns the set holding ks.
func NewKindSet(ks ...Kind) KindSet {
	var s KindSet
	for _, k := range ks {
		s = s.With(k)
	}
	return s
}

// Has reports whether k is in the set.
func (s KindSet) Has(k Kind) bool { return s&(1<<k) != 0 }

// With returns the set plus k.
func (s KindSet) With(k Kind) KindSet { return s | 1<<k }

// Without returns the set minus k.
func (s KindSet) Without(k Kind) KindSet { return s &^ (1 << k) }

// String lists the set's kinds, comma-separated.
func (s KindSet) String() string {
	var names []string
	for k := Kind(1); k < kindCount; k++ {
		if s.Has(k) {
			names = append(names, k.String())
		}
	}
	return strings.Join(names, ",")
}

// Source says who fired a waker.
type Source uint8

// Wake sources.
const (
	SourceNone       Source = iota
	SourceTask              // a task on an executor, named by Event.From
	SourceTimer             // a timer firing
	SourceGoroutine         // a goroutine outside the runtime
	SourceCompletion        // an I/O completion (phase 2)
	SourceExecutor          // the executor itself (cancel, shutdown)
	sourceCount
)

var sourceNames = [...]string{
	SourceNone:       "",
	SourceTask:       "task",
	SourceTimer:      "timer",
	SourceGoroutine:  "goroutine",
	SourceCompletion: "completion",
	SourceExecutor:   "executor",
}

// String returns the source's wire name.
func (s Source) String() string {
	if s < sourceCount {
		return sourceNames[s]
	}
	return fmt.Sprintf("source(%d)", uint8(s))
}

// MarshalText encodes the source by name.
func (s Source) MarshalText() ([]byte, error) {
	if s >= sourceCount {
		return nil, fmt.Errorf("trace: cannot encode invalid source %d", uint8(s))
	}
	return []byte(sourceNames[s]), nil
}

// UnmarshalText decodes a source from its name.
func (s *Source) UnmarshalText(b []byte) error {
	for v := Source(0); v < sourceCount; v++ {
		if sourceNames[v] == string(b) {
			*s = v
			return nil
		}
	}
	return fmt.Errorf("trace: unknown wake source %q", b)
}

// Event is one thing a runtime did. It is plain data: it holds no pointers
// into the runtime, so a sink may keep it, copy it or send it to another
// process as a JSON line.
//
// Fields that do not apply to a kind are zero and omitted on the wire.
//
// Time is read from the clock where time moves on for a learner — at each
// loop turn, poll start and park/unpark — and events in between carry that
// reading: a clock read costs more than recording an event.
type Event struct {
	Seq  uint64 `json:"seq"`            // per-executor sequence number, from 1
	Time int64  `json:"t"`              // monotonic ns since the executor started (see below)
	Exec uint32 `json:"exec"`           // executor id, from 1
	Task uint64 `json:"task,omitempty"` // task id, from 1; 0 for executor-wide events
	Kind Kind   `json:"kind"`

	Ready  bool   `json:"ready,omitempty"`  // PollEnded: the poll returned Ready
	By     Source `json:"by,omitempty"`     // Woken: who fired the waker
	From   uint64 `json:"from,omitempty"`   // Woken by a task: that task's id
	Queue  int    `json:"queue,omitempty"`  // Queued: run-queue length after the push
	Holder string `json:"holder,omitempty"` // WakerRegistered: who now holds the waker
	Name   string `json:"name,omitempty"`   // Spawned: the task's name
	Note   string `json:"note,omitempty"`   // free text: unpark reason, panic value, ...

	Op       string `json:"op,omitempty"`        // phase 2: the opcode, "READ"
	UserData uint64 `json:"user_data,omitempty"` // phase 2: the request's user_data
	FD       int32  `json:"fd,omitempty"`        // phase 2: the descriptor
	Res      int32  `json:"res,omitempty"`       // phase 2: the CQE's result
	Count    int    `json:"count,omitempty"`     // phase 2: SQEs submitted in one enter

	// Phase 2: where the rings stood when the event happened (SQE
	// prepared, submitted, CQE reaped), for the visualiser's ring view.
	SQ RingPos `json:"sq,omitzero"`
	CQ RingPos `json:"cq,omitzero"`

	// Phase 3. Queues is a string (EncodeQueues) so that an Event stays
	// comparable and pointer-free: a sink may keep it as it is.
	Queues string `json:"queues,omitempty"` // QueueSelected: every task queue
	Dur    int64  `json:"dur,omitempty"`    // a duration in ns: slice, park timeout, timer delay, stall so far

	// Phase 4: a pool of executors.
	Peer   uint32 `json:"peer,omitempty"`   // messages, SubmitTo: the executor (Exec id) at the other end
	Depth  int    `json:"depth,omitempty"`  // messages: slots in use on the channel
	Req    uint64 `json:"req,omitempty"`    // messages, SubmitTo: the request's number on its origin
	Index  int    `json:"index,omitempty"`  // ExecutorStarted: the executor's place in its pool
	CPUs   string `json:"cpus,omitempty"`   // ExecutorStarted: the CPUs its thread is pinned to
	Thread int    `json:"thread,omitempty"` // ExecutorStarted: its OS thread id

	// Phase 2's fast paths (issue 10): the provided-buffer ring and the
	// registered-file table as they stood, on ring-carrying events and on
	// BufsRecycled / SlotsUpdated. Zero (omitted) where the reactor has
	// neither.
	Bufs  BufRingPos   `json:"bufs,omitzero"`
	Files FileTablePos `json:"files,omitzero"`
	// Fixed: on SQEPrepared, FD is a registered-file slot
	// (IOSQE_FIXED_FILE), not a descriptor.
	Fixed bool `json:"fixed,omitempty"`
}

// BufRingPos is a provided-buffer ring's occupancy (phase 2): of Buffers,
// Kernel are in the ring for the kernel to fill; the rest are held by
// readers (filled, not yet read out). Recycled counts the buffers readers
// have given back since the ring was set up.
type BufRingPos struct {
	Buffers  uint32 `json:"buffers"`
	Kernel   uint32 `json:"kernel"`
	Recycled uint64 `json:"recycled"`
}

// Held returns how many buffers readers hold.
func (p BufRingPos) Held() uint32 { return p.Buffers - min(p.Kernel, p.Buffers) }

// FileTablePos is a ring's registered-file table (phase 2): Used of Slots
// hold a file; Direct of those are direct descriptors (opened or accepted
// into the slot, or reserved for one in flight), the rest descriptors
// registered with IORING_REGISTER_FILES_UPDATE.
type FileTablePos struct {
	Slots  uint32 `json:"slots"`
	Used   uint32 `json:"used"`
	Direct uint32 `json:"direct"`
}

// QueuePos is one task queue as the scheduler saw it (phase 3).
type QueuePos struct {
	Name     string `json:"name"`
	Vruntime uint64 `json:"vruntime"`          // ns of CPU scaled to 1000 shares
	Shares   int    `json:"shares"`            // shares in force
	Ready    int    `json:"ready"`             // ready tasks
	Latency  int64  `json:"latency,omitempty"` // Matters(d): d in ns; 0: not important
}

// RingPos is one io_uring queue's size and indexes. Head and tail are
// free-running counters, as the kernel keeps them: the slot of index i is
// i mod Entries, and Tail-Head entries are in the queue.
type RingPos struct {
	Entries uint32 `json:"entries"`
	Head    uint32 `json:"head"`
	Tail    uint32 `json:"tail"`
}

// String renders the event on one line, for logs and test failures.
func (e Event) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "#%d exec%d", e.Seq, e.Exec)
	if e.Task != 0 {
		fmt.Fprintf(&b, " T%d", e.Task)
	}
	b.WriteString(" ")
	b.WriteString(e.Kind.String())
	switch e.Kind {
	case PollEnded:
		if e.Ready {
			b.WriteString(" ready")
		} else {
			b.WriteString(" pending")
		}
	case Woken:
		fmt.Fprintf(&b, " by %s", e.By)
		if e.From != 0 {
			fmt.Fprintf(&b, " T%d", e.From)
		}
	case Queued:
		fmt.Fprintf(&b, " len=%d", e.Queue)
	case WakerRegistered:
		fmt.Fprintf(&b, " holder=%q", e.Holder)
	case Spawned:
		fmt.Fprintf(&b, " %q len=%d", e.Name, e.Queue)
	case SQEPrepared:
		if e.Fixed {
			fmt.Fprintf(&b, " %s slot=%d user_data=%#x", e.Op, e.FD, e.UserData)
		} else {
			fmt.Fprintf(&b, " %s fd=%d user_data=%#x", e.Op, e.FD, e.UserData)
		}
	case Submitted:
		fmt.Fprintf(&b, " count=%d", e.Count)
	case CQEReaped:
		fmt.Fprintf(&b, " %s user_data=%#x res=%d", e.Op, e.UserData, e.Res)
	case OpCancelled:
		fmt.Fprintf(&b, " %s user_data=%#x", e.Op, e.UserData)
	case QueueSelected, SliceEnded, Preempted, Stall:
		fmt.Fprintf(&b, " queue=%q", e.Name)
		if e.Dur != 0 {
			fmt.Fprintf(&b, " dur=%dns", e.Dur)
		}
		if e.Queues != "" {
			fmt.Fprintf(&b, " [%s]", e.Queues)
		}
	case TimerArmed, ParkedUntil:
		fmt.Fprintf(&b, " in=%dns", e.Dur)
	case ExecutorStarted:
		fmt.Fprintf(&b, " index=%d cpus=%q thread=%d", e.Index, e.CPUs, e.Thread)
	case MsgSent, MsgReceived:
		fmt.Fprintf(&b, " %s peer=exec%d req=%d depth=%d", e.Op, e.Peer, e.Req, e.Depth)
	case MsgFlushed:
		fmt.Fprintf(&b, " peer=exec%d count=%d depth=%d", e.Peer, e.Count, e.Depth)
	case MsgWake:
		fmt.Fprintf(&b, " peer=exec%d", e.Peer)
	case SubmitStarted, SubmitWaiting, SubmitAnswered:
		fmt.Fprintf(&b, " peer=exec%d req=%d open=%d", e.Peer, e.Req, e.Count)
	case StopAccepting, Draining, DeadlinePassed, ExecutorClosed:
		fmt.Fprintf(&b, " count=%d", e.Count)
	case PlacementPlanned:
		fmt.Fprintf(&b, " %s → %s", e.Name, e.CPUs)
	case BufsRecycled:
		fmt.Fprintf(&b, " count=%d kernel=%d/%d", e.Count, e.Bufs.Kernel, e.Bufs.Buffers)
	case SlotsUpdated:
		fmt.Fprintf(&b, " fd=%d slots=%d/%d direct=%d", e.FD, e.Files.Used, e.Files.Slots, e.Files.Direct)
	}
	if e.Note != "" {
		fmt.Fprintf(&b, " (%s)", e.Note)
	}
	return b.String()
}

// Sink receives events. A runtime calls Event on the goroutine that did the
// thing, synchronously, so a sink may block the runtime (that is how the
// Stepper works) and must be safe for concurrent use when several
// executors share it.
//
// The *Event is valid only during the call: a sink that keeps an event
// copies it (*e). Passing a pointer keeps the untraced fast path from
// building a 100-byte struct on every event site.
//
// A runtime without a sink holds a nil Sink and pays one branch per event
// site.
type Sink interface {
	Event(e *Event)
}

// SinkFunc adapts a function to a Sink.
type SinkFunc func(e *Event)

// Event calls f(e).
func (f SinkFunc) Event(e *Event) { f(e) }
