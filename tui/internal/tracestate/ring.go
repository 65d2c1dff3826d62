package tracestate

import (
	"slices"
	"strings"

	"asyncworkbook/phases/trace"
)

// The io_uring part of the state (phase 2): where the submission and
// completion queues stand, which requests are in flight, and which task
// the last completion woke.
//
//	event        ring effects
//	-----------  ----------------------------------------------------------
//	SQEPrepared  an op joins the in-flight table, "in SQ" at slot Tail-1
//	Submitted    ops whose SQ index the kernel's head has passed are
//	             "in kernel" (every ring-carrying event does this)
//	CQEReaped    the oldest op with that user_data leaves the table; the
//	             CQE becomes the last CQE, linked to the task it wakes
//	OpCancelled  the op becomes "cancelled, waiting for its CQE"
//	Woken        by a completion, for the last CQE's task: the link is
//	             confirmed (or marked coalesced)
//	BufsRecycled a reader gave provided buffers back: counted
//	SlotsUpdated a registered-file slot was filled or emptied outside
//	             the ring: counted, its note kept
//
// Bufs and Files (the provided-buffer ring's occupancy, the
// registered-file table) come from the latest event carrying them: the
// ring-carrying kinds and the two above.
//
// SQ and CQ come from the latest event carrying ring positions. On a
// runtime that does not trace the reactor's own requests (the eventfd
// wakeup READ, ASYNC_CANCEL) when prepared, only when their CQEs come
// back, they are not in the table, but the SQ's tail counts them:
// OwnSQEs and OwnInFlight say how many, so the counts shown agree with
// the queues. A runtime that traces them has them in the table like any
// op. A LINK_TIMEOUT is traced both ways (its user_data is the same for
// every one: the table keeps duplicates in order).

// The reactor's own user_data values (phase2-iouring: udEventfd, udCancel,
// udLinkTimeout): the top bit set means "no op table entry".
const (
	udOwn         uint64 = 1 << 63
	udEventfd            = udOwn | 1
	udCancel             = udOwn | 2
	udLinkTimeout        = udOwn | 3
)

// Stage is where an in-flight op is.
type Stage uint8

// Op stages.
const (
	InSQ       Stage = iota // prepared; the kernel has not consumed its SQE
	InKernel                // submitted; waiting for its CQE
	Cancelling              // its future was dropped; waiting for its CQE anyway
)

var stageWords = [...]string{"◌ in SQ", "● in kernel", "✗ cancelled, CQE due"}

// String returns a glyph and words, readable without colour.
func (s Stage) String() string { return stageWords[s] }

// Op is one request in flight: prepared, and its CQE not yet reaped.
type Op struct {
	Exec     uint32
	UserData uint64
	Op       string // opcode, "READ"
	FD       int32
	Task     uint64 // the task that asked (0 for none)
	Stage    Stage
	SQIndex  uint32 // free-running SQ index of its SQE (valid if HasSQ)
	HasSQ    bool
	Seq      uint64 // the SQEPrepared event's seq
	Time     int64  // and its time
	At       int    // State.Events when it was prepared
	// MoreCQEs counts the CQEs with IORING_CQE_F_MORE a multishot op has
	// posted: it stays in flight until a CQE without it.
	MoreCQEs int
	// Fixed: FD is a registered-file slot (IOSQE_FIXED_FILE).
	Fixed bool
}

// CQELink is the last completion reaped and what it led to.
type CQELink struct {
	Valid     bool
	Exec      uint32
	Seq       uint64
	UserData  uint64
	Op        string
	Res       int32
	Task      uint64 // the task it wakes, 0 for none
	Woken     bool   // the Woken by completion for Task followed
	Coalesced bool   // ... and the task was already queued
	Cancelled bool   // it was the CQE of a cancelled op (an orphan)
	Known     bool   // it matched an op in the in-flight table
	Age       int    // events between the op's SQEPrepared and this CQE (if Known)
	AgeNS     int64  // time between them
	More      bool   // IORING_CQE_F_MORE: a multishot op that goes on
	Note      string // a multishot CQE's note: buffer id, ring occupancy
}

// Own reports whether the CQE is of one of the reactor's own requests.
func (c *CQELink) Own() bool { return c.UserData&udOwn != 0 }

// OwnName names the reactor's own request a CQE belongs to: "its eventfd
// wakeup READ", "an ASYNC_CANCEL", "a LINK_TIMEOUT" (empty if not Own).
func (c *CQELink) OwnName() string {
	switch c.UserData {
	case udEventfd:
		return "its eventfd wakeup READ"
	case udCancel:
		return "an ASYNC_CANCEL"
	case udLinkTimeout:
		return "a LINK_TIMEOUT"
	}
	if c.Own() {
		return "a request of its own"
	}
	return ""
}

// multishotMore starts the Note of a multishot op's CQE that carries
// IORING_CQE_F_MORE (phase2-iouring's traceMultiCQE).
const multishotMore = "multishot: F_MORE"

// Ring is what the trace shows of the io_uring rings.
type Ring struct {
	Seen      bool          // a phase-2 event was applied
	SQ, CQ    trace.RingPos // from the latest event carrying positions
	HasPos    bool          // some event carried positions
	Ops       []Op          // in flight, in order of preparation
	LastCQE   CQELink
	Prepared  int // SQEPrepared events
	Submits   int // Submitted events (io_uring_enter calls)
	Reaped    int // CQEReaped events
	Cancelled int // OpCancelled events
	OwnReaped int // CQEs of the reactor's own requests that no SQEPrepared traced

	// Unsubmitted counts traced SQEs prepared since the last Submitted:
	// a Submitted with a larger Count also sent the reactor's own.
	Unsubmitted int

	submittedTraced int // Unsubmitted just before the last Submitted

	// While a batch of CQEs is reaped the CQ head stays put (it is stored
	// once, after the batch): ReapIndex is the free-running CQ index of
	// the CQE being handled, when Reaping.
	Reaping   bool
	ReapIndex uint32

	// The fast paths (issue 10), from the latest event carrying them.
	Bufs        trace.BufRingPos   // the provided-buffer ring's occupancy
	HasBufs     bool               // some event carried Bufs
	Files       trace.FileTablePos // the registered-file table
	HasFiles    bool               // some event carried Files
	Recycles    int                // BufsRecycled events
	SlotUpdates int                // SlotsUpdated events
	LastSlot    string             // the latest SlotsUpdated's note
}

// CQWaiting returns how many CQEs sit in the CQ not yet handled: the
// queue's entries less those of the batch being reaped already reaped.
func (r *Ring) CQWaiting() int {
	n := int(Occupied(r.CQ))
	if r.Reaping {
		n -= int(r.ReapIndex-r.CQ.Head) + 1
	}
	return max(n, 0)
}

// OwnSQEs returns how many SQEs the SQ's tail counts that no SQEPrepared
// event traced: the reactor's own (its eventfd READ, ASYNC_CANCELs), on a
// runtime that does not trace them. 0 without ring positions.
func (r *Ring) OwnSQEs() int {
	if !r.HasPos || r.SQ.Entries == 0 || int(r.SQ.Tail) < r.Prepared {
		return 0
	}
	return int(r.SQ.Tail) - r.Prepared
}

// OwnInFlight returns how many of the reactor's untraced SQEs have no
// CQE yet (see OwnSQEs).
func (r *Ring) OwnInFlight() int { return max(r.OwnSQEs()-r.OwnReaped, 0) }

// HasRing reports whether any phase-2 event has been applied.
func (s *State) HasRing() bool { return s.Ring.Seen }

// InFlight returns the ops whose CQE has not been reaped.
func (s *State) InFlight() []Op { return s.Ring.Ops }

// OpAge returns how many events and nanoseconds ago o was prepared.
func (s *State) OpAge(o *Op) (events int, ns int64) {
	return s.Events - o.At, s.Last.Time - o.Time
}

// Occupied returns how many entries q holds.
func Occupied(q trace.RingPos) uint32 { return q.Tail - q.Head }

func (r *Ring) clone() Ring {
	c := *r
	c.Ops = slices.Clone(r.Ops)
	return c
}

// find returns the index of the oldest op of exec with user_data ud, or -1.
func (r *Ring) find(exec uint32, ud uint64) int {
	for i := range r.Ops {
		if r.Ops[i].Exec == exec && r.Ops[i].UserData == ud {
			return i
		}
	}
	return -1
}

// applyRing moves the ring part of the state past e (called by Apply for
// phase-2 kinds and Woken, after s.Events and s.Last are updated).
func (s *State) applyRing(e *trace.Event) {
	r := &s.Ring
	if e.Kind == trace.Woken {
		c := &r.LastCQE
		if e.By == trace.SourceCompletion && c.Valid && !c.Woken && c.Exec == e.Exec && c.Task == e.Task {
			c.Woken = true
			c.Coalesced = e.Note == "coalesced"
		}
		return
	}
	r.Seen = true
	if e.Bufs != (trace.BufRingPos{}) {
		r.Bufs, r.HasBufs = e.Bufs, true
	}
	if e.Files != (trace.FileTablePos{}) {
		r.Files, r.HasFiles = e.Files, true
	}
	if e.SQ != (trace.RingPos{}) || e.CQ != (trace.RingPos{}) {
		if r.Reaping && (e.CQ.Entries == 0 || e.CQ.Head != r.CQ.Head) {
			r.Reaping = false // the batch was released
		}
		r.SQ, r.CQ, r.HasPos = e.SQ, e.CQ, true
		// The kernel's SQ head has passed these SQEs: they are its now.
		for i := range r.Ops {
			o := &r.Ops[i]
			if o.Stage == InSQ && o.HasSQ && o.Exec == e.Exec && int32(e.SQ.Head-o.SQIndex) > 0 {
				o.Stage = InKernel
			}
		}
	}
	switch e.Kind {
	case trace.BufsRecycled:
		r.Recycles++
	case trace.SlotsUpdated:
		r.SlotUpdates++
		r.LastSlot = e.Note
	case trace.SQEPrepared:
		r.Prepared++
		r.Unsubmitted++
		o := Op{
			Exec: e.Exec, UserData: e.UserData, Op: e.Op, FD: e.FD, Task: e.Task,
			Seq: e.Seq, Time: e.Time, At: s.Events, Fixed: e.Fixed,
		}
		if e.SQ.Entries > 0 && e.SQ.Tail != e.SQ.Head {
			o.SQIndex, o.HasSQ = e.SQ.Tail-1, true // NextSQE advanced the tail past it
		}
		r.Ops = append(r.Ops, o)
	case trace.Submitted:
		r.Submits++
		r.submittedTraced, r.Unsubmitted = r.Unsubmitted, 0
		r.Reaping = false
		for i := range r.Ops {
			// Without positions, trust the event: all of it went in.
			if o := &r.Ops[i]; o.Stage == InSQ && o.Exec == e.Exec && !o.HasSQ {
				o.Stage = InKernel
			}
		}
	case trace.OpCancelled:
		r.Cancelled++
		if i := r.find(e.Exec, e.UserData); i >= 0 {
			r.Ops[i].Stage = Cancelling
			// The event names the op by user_data only: fill in what
			// its SQE said, so the log reads "READ fd=12", not fd=0.
			if e.Op == "" {
				e.Op = r.Ops[i].Op
			}
			if e.FD == 0 {
				e.FD = r.Ops[i].FD
			}
			s.Last = *e
		}
	case trace.CQEReaped:
		r.Reaped++
		c := CQELink{
			Valid: true, Exec: e.Exec, Seq: e.Seq, UserData: e.UserData,
			Op: e.Op, Res: e.Res, Task: e.Task,
		}
		if i := r.find(e.Exec, e.UserData); i >= 0 {
			o := r.Ops[i]
			c.Known = true
			c.Cancelled = o.Stage == Cancelling || (e.Task == 0 && !c.Own()) // an orphan
			c.Age, c.AgeNS = s.Events-o.At, e.Time-o.Time
			if strings.HasPrefix(e.Note, "multishot:") {
				c.Note = e.Note
			}
			if strings.HasPrefix(e.Note, multishotMore) {
				// One SQE, many CQEs: the op stays in flight.
				c.More = true
				r.Ops[i].MoreCQEs++
			} else {
				r.Ops = slices.Delete(r.Ops, i, i+1)
			}
		} else if c.Own() {
			r.OwnReaped++
		}
		r.LastCQE = c
		// Which CQ entry is this? The first of a batch is at the head;
		// the head does not move until the batch is done.
		if q := e.CQ; q.Entries > 0 {
			if r.Reaping && int32(q.Tail-(r.ReapIndex+1)) > 0 {
				r.ReapIndex++
			} else {
				r.ReapIndex = q.Head
			}
			r.Reaping = Occupied(q) > 0
		}
	}
}
