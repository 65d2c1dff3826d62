package timerwheel

// Everything in this file is given: the wheel's shape, where a timer
// goes, the slot lists, and finding the next occupied slot. Your part is
// in wheel.go: Insert, Cancel and Advance.

import (
	"math/bits"
	"time"
)

// The wheel: Levels levels of Slots slots. A slot of level l spans
// Slots^l ticks, so the wheel covers Slots^Levels ticks ahead
// (8³ = 512 ms at 1 ms).
const (
	Levels   = 3
	SlotBits = 3
	Slots    = 1 << SlotBits
	MaxTicks = 1<<(Levels*SlotBits) - 1
)

// Wheel is a hierarchical timer wheel with a 1 ms tick.
type Wheel struct {
	Tick    time.Duration
	Elapsed uint64 // the wheel's time in ticks: every deadline ≤ Elapsed has fired
	N       int    // timers waiting
	slots   [Levels][Slots]*Timer
}

// Timer is one entry. In reports whether it is in the wheel.
type Timer struct {
	When        uint64 // deadline in ticks
	Fire        func()
	In          bool
	level, slot int
	prev, next  *Timer
}

// NewWheel returns an empty wheel at time 0 with a 1 ms tick.
func NewWheel() *Wheel { return &Wheel{Tick: time.Millisecond} }

// LevelFor returns the level a timer due at when goes to, now that the
// wheel's time is Elapsed: the highest group of SlotBits bits in which
// when and Elapsed differ. Deadlines past the range go to the top level.
func (w *Wheel) LevelFor(when uint64) int {
	masked := (w.Elapsed ^ when) | (Slots - 1)
	masked = min(masked, MaxTicks)
	return (63 - bits.LeadingZeros64(masked)) / SlotBits
}

// Push puts t (t.When set, t.In false) into its slot for the wheel's
// current time, and marks it In. (A deadline beyond the range waits in
// the top level's last slot and is pushed again when that comes due.)
func (w *Wheel) Push(t *Timer) {
	when := t.When
	const top = (Levels - 1) * SlotBits
	if far := (w.Elapsed &^ (1<<top - 1)) + (Slots-1)<<top; when > far {
		when = far
	}
	l := w.LevelFor(when)
	s := int(when>>(l*SlotBits)) & (Slots - 1)
	t.level, t.slot, t.In = l, s, true
	t.prev, t.next = nil, w.slots[l][s]
	if t.next != nil {
		t.next.prev = t
	}
	w.slots[l][s] = t
}

// Unlink takes t out of its slot list in O(1) and marks it not In.
func (w *Wheel) Unlink(t *Timer) {
	if t.prev != nil {
		t.prev.next = t.next
	} else {
		w.slots[t.level][t.slot] = t.next
	}
	if t.next != nil {
		t.next.prev = t.prev
	}
	t.prev, t.next, t.In = nil, nil, false
}

// NextSlot returns the first occupied slot at or after the wheel's time
// (the lowest level that has one), with the tick at which it begins.
func (w *Wheel) NextSlot() (level, slot int, start uint64, ok bool) {
	for l := range Levels {
		shift := uint(l * SlotBits)
		now := int(w.Elapsed>>shift) & (Slots - 1)
		for k := range Slots {
			s := (now + k) & (Slots - 1)
			if w.slots[l][s] == nil {
				continue
			}
			start := w.Elapsed&^(1<<(shift+SlotBits)-1) + uint64(s)<<shift
			if s < now {
				start += 1 << (shift + SlotBits)
			}
			return l, s, max(start, w.Elapsed), true
		}
	}
	return 0, 0, 0, false
}

// Head returns the first timer of a slot's list, or nil.
func (w *Wheel) Head(level, slot int) *Timer { return w.slots[level][slot] }

// Impl is one implementation of the three functions, as the tests take
// it: yours is Mine.
type Impl struct {
	Insert  func(w *Wheel, t *Timer, at time.Duration, fire func()) bool
	Cancel  func(w *Wheel, t *Timer) bool
	Advance func(w *Wheel, now time.Duration) int
}

// Mine is the implementation in wheel.go.
var Mine = Impl{Insert: (*Wheel).Insert, Cancel: (*Wheel).Cancel, Advance: (*Wheel).Advance}
