package visual

import (
	"asyncworkbook/phases/trace"
	"asyncworkbook/tui/internal/tracestate"
)

// snapEvery is how many events separate two snapshots: stepping back
// clones the snapshot before the target and replays at most this many.
const snapEvery = 128

// MaxHistory bounds the events kept; later ones are counted as dropped.
const MaxHistory = 1 << 20

// History is every event seen in one run, and a cursor into it: the
// visualiser shows the state after the first Pos() events, which may be
// behind the runtime (after stepping back, or while playing).
//
// head is the state after all events; snaps[i] is a copy of the state
// after i*snapEvery events; cur is the state at the cursor. A History is
// not safe for concurrent use; the zero value is not usable (NewHistory).
type History struct {
	events []trace.Event
	snaps  []*tracestate.State
	head   *tracestate.State
	cur    *tracestate.State
	pos    int
}

// NewHistory returns an empty History.
func NewHistory() *History {
	return &History{
		snaps: []*tracestate.State{{}},
		head:  &tracestate.State{},
		cur:   &tracestate.State{},
	}
}

// Append adds events after the last one, and returns how many it had to
// drop because the history is full. The cursor does not move.
func (h *History) Append(evs []trace.Event) (dropped int) {
	if room := MaxHistory - len(h.events); len(evs) > room {
		dropped = len(evs) - room
		evs = evs[:room]
	}
	for i := range evs {
		h.events = append(h.events, evs[i])
		// Apply may fill in what an event left out (an op-cancelled's
		// fd): the copy kept is the one it sees.
		h.head.Apply(&h.events[len(h.events)-1])
		if len(h.events)%snapEvery == 0 {
			h.snaps = append(h.snaps, h.head.Clone())
		}
	}
	return dropped
}

// Len returns the number of events held.
func (h *History) Len() int { return len(h.events) }

// Pos returns the cursor: how many events the shown state has applied.
func (h *History) Pos() int { return h.pos }

// Event returns the i-th event (from 0).
func (h *History) Event(i int) *trace.Event { return &h.events[i] }

// Events returns the events held. The caller must not modify them.
func (h *History) Events() []trace.Event { return h.events }

// State returns the state at the cursor. It is valid until the next
// call that moves the cursor.
func (h *History) State() *tracestate.State { return h.cur }

// Current returns the event at the cursor (the last one applied), or nil
// at position 0.
func (h *History) Current() *trace.Event {
	if h.pos == 0 {
		return nil
	}
	return &h.events[h.pos-1]
}

// Seek moves the cursor to pos (clamped to [0, Len]): forward by
// applying events, backward by cloning the nearest snapshot at or
// before pos and replaying from there.
func (h *History) Seek(pos int) {
	pos = max(0, min(pos, len(h.events)))
	if base := pos / snapEvery * snapEvery; pos < h.pos || base > h.pos {
		// Going back, or so far ahead that a snapshot is closer.
		if pos == len(h.events) {
			h.cur, h.pos = h.head.Clone(), pos
			return
		}
		h.cur, h.pos = h.snaps[pos/snapEvery].Clone(), base
	}
	for ; h.pos < pos; h.pos++ {
		h.cur.Apply(&h.events[h.pos])
	}
}

// HasRing reports whether any event held is a phase-2 (io_uring) one: the
// visualiser then shows its ring panel, whatever the cursor.
func (h *History) HasRing() bool { return h.head.HasRing() }
