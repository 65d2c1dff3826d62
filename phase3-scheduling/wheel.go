package scheduling

import (
	"math/bits"
	"time"
)

// Wheel is a hierarchical timer wheel: six levels of 64 slots (tokio's
// shape). Level 0's slots are one tick each; a slot of level l spans
// 64^l ticks. A timer goes into the level where its deadline and the
// wheel's time first differ in the bits that level indexes, so near
// timers sit in fine slots and far ones in coarse slots; as time moves
// on, a coarse slot that comes due is emptied into finer levels (a
// cascade) until its timers fire from level 0.
//
//	level  slot span     range of the level
//	0      1 tick        64 ticks
//	1      64 ticks      4096 ticks
//	...
//	5      64^5 ticks    64^6 ticks (≈ 80 days at 100 µs, 2.2 years at 1 ms)
//
// Insert and Cancel are O(1): each slot is a doubly linked list, and each
// level has a 64-bit occupancy word, so the next deadline is found with a
// trailing-zeros count per level, not by scanning slots. A timer whose
// deadline is past the range waits in level 5's last slot and is placed
// again when that slot comes due.
//
// Deadlines are rounded up to the next tick: a timer never fires early.
// A Wheel belongs to the executor's goroutine. Create it with NewWheel.
type Wheel struct {
	tick    time.Duration
	elapsed uint64 // the wheel's time, in ticks: every deadline ≤ elapsed has fired
	levels  [wheelLevels]level
	n       int // timers in the wheel
}

const (
	wheelLevels = 6
	slotBits    = 6
	wheelSlots  = 1 << slotBits
	slotMask    = wheelSlots - 1
	maxTicks    = 1<<(wheelLevels*slotBits) - 1
)

type level struct {
	occupied uint64 // bit i: slots[i] is not empty
	slots    [wheelSlots]*Timer
}

// Timer is one entry of a Wheel: a deadline and what to do then. Its
// fields belong to the wheel's goroutine. The zero value is an unarmed
// timer; arm it with Wheel.Insert.
type Timer struct {
	when       uint64 // deadline in ticks
	level      int8   // -1: not in the wheel
	slot       uint8
	prev, next *Timer
	fire       func() // called once, on the wheel's goroutine, when due
}

// Pending reports whether the timer is in a wheel, waiting.
func (t *Timer) Pending() bool { return t.prev != nil } // prev is nil exactly when out of the wheel

// DefaultTick is the wheel's default resolution: 100 µs. Tokio ticks in
// milliseconds because epoll's timeout is in milliseconds; io_uring's is a
// timespec, so a finer tick costs nothing but a few more cascades.
const DefaultTick = 100 * time.Microsecond

// NewWheel returns an empty wheel of the given tick (> 0) whose time is
// now (a reading of the clock the wheel will be advanced with).
func NewWheel(tick, now time.Duration) *Wheel {
	if tick <= 0 {
		panic("scheduling: wheel tick must be positive")
	}
	return &Wheel{tick: tick, elapsed: uint64(now / tick)}
}

// Len returns the number of timers waiting.
func (w *Wheel) Len() int { return w.n }

// Tick returns the wheel's resolution.
func (w *Wheel) Tick() time.Duration { return w.tick }

// ticks rounds a time up to a whole tick.
func (w *Wheel) ticks(at time.Duration) uint64 {
	if at <= 0 {
		return 0
	}
	return uint64((at + w.tick - 1) / w.tick)
}

// Insert arms t to call fire at time at (a clock reading), and reports
// whether it did: a deadline already reached is not inserted, and the
// caller treats the timer as fired. A timer already in the wheel is moved.
func (w *Wheel) Insert(t *Timer, at time.Duration, fire func()) bool {
	if t.Pending() {
		w.Cancel(t)
	}
	when := w.ticks(at)
	if when <= w.elapsed {
		t.level = -1
		return false
	}
	t.when, t.fire = when, fire
	w.place(t)
	w.n++
	return true
}

// levelFor returns the level whose slot index is the highest bit group in
// which when differs from elapsed.
func (w *Wheel) levelFor(when uint64) int {
	masked := (w.elapsed ^ when) | slotMask
	if masked > maxTicks {
		masked = maxTicks
	}
	return (63 - bits.LeadingZeros64(masked)) / slotBits
}

func (w *Wheel) place(t *Timer) {
	when := t.when
	const top = (wheelLevels - 1) * slotBits // level 5's slot span: 2^30 ticks
	if far := (w.elapsed &^ (1<<top - 1)) + (wheelSlots-1)<<top; when > far {
		// Beyond the range: wait in level 5's last slot before the
		// current one (63 slots ahead), and be placed again when it comes
		// due. (Clamping to elapsed + 2^36 could land in the current slot
		// itself, which would come due at once, for ever.)
		when = far
	}
	l := w.levelFor(when)
	s := uint8(when >> (l * slotBits) & slotMask)
	lv := &w.levels[l]
	t.level, t.slot = int8(l), s
	// Push at the head of the slot's list. The head's prev points to
	// itself, so prev is non-nil exactly while the timer is in the wheel.
	head := lv.slots[s]
	t.next = head
	t.prev = t // head marker
	if head != nil {
		head.prev = t
	}
	lv.slots[s] = t
	lv.occupied |= 1 << s
}

// Cancel removes t from the wheel in O(1), and reports whether it was
// waiting (false: it had fired, was cancelled, or never armed).
func (w *Wheel) Cancel(t *Timer) bool {
	if !t.Pending() {
		return false
	}
	w.unlink(t)
	w.n--
	return true
}

func (w *Wheel) unlink(t *Timer) {
	lv := &w.levels[t.level]
	if t.prev == t { // the head
		lv.slots[t.slot] = t.next
		if t.next != nil {
			t.next.prev = t.next
		} else {
			lv.occupied &^= 1 << t.slot
		}
	} else {
		t.prev.next = t.next
		if t.next != nil {
			t.next.prev = t.prev
		}
	}
	t.prev, t.next, t.level = nil, nil, -1
}

// nextSlot finds the first occupied slot at or after the wheel's time:
// the lowest level that has one (a lower level's timers are all due
// before a higher level's). It returns the level, the slot, and the tick
// at which that slot begins.
func (w *Wheel) nextSlot() (l int, s uint, start uint64, ok bool) {
	for l := range wheelLevels {
		lv := &w.levels[l]
		if lv.occupied == 0 {
			continue
		}
		shift := uint(l * slotBits)
		now := uint(w.elapsed>>shift) & slotMask
		// Rotate so that bit 0 is the current slot; slots before it
		// belong to the next turn of this level.
		rot := bits.RotateLeft64(lv.occupied, -int(now))
		d := uint(bits.TrailingZeros64(rot))
		s := (now + d) & slotMask
		levelStart := w.elapsed &^ (1<<(shift+slotBits) - 1)
		start := levelStart + uint64(s)<<shift
		if s < now {
			start += 1 << (shift + slotBits) // wrapped into the next turn
		}
		return l, s, max(start, w.elapsed), true
	}
	return 0, 0, 0, false
}

// NextDeadline returns the earliest deadline among the waiting timers, as
// a clock reading, exactly (not the start of a coarse slot): what the
// executor parks until, with one kernel timeout.
func (w *Wheel) NextDeadline() (time.Duration, bool) {
	l, s, _, ok := w.nextSlot()
	if !ok {
		return 0, false
	}
	first := uint64(1<<64 - 1)
	for t := w.levels[l].slots[s]; t != nil; t = t.next {
		first = min(first, t.when)
	}
	return time.Duration(first) * w.tick, true
}

// Advance moves the wheel's time to now, firing every timer due by then,
// in deadline order (timers of the same tick in no promised order), and
// returns how many fired. A fire function may insert or cancel timers.
func (w *Wheel) Advance(now time.Duration) int {
	target := uint64(max(now, 0) / w.tick)
	fired := 0
	for {
		l, s, start, ok := w.nextSlot()
		if !ok || start > target {
			break
		}
		w.elapsed = start
		lv := &w.levels[l]
		// Take timers from the slot's head one at a time, not the whole
		// list at once: a fire function may cancel a timer still in it.
		for lv.slots[s] != nil {
			t := lv.slots[s]
			w.unlink(t)
			if t.when <= w.elapsed {
				w.n--
				fired++
				t.fire()
			} else {
				w.place(t) // cascade: into a finer level (or its true level)
			}
		}
	}
	w.elapsed = max(w.elapsed, target)
	return fired
}
