package scheduling_test

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	scheduling "asyncworkbook/phase3-scheduling"
)

// wheelModel checks a Wheel against the obvious implementation: a list of
// deadlines, fired when the time reaches them.
type wheelModel struct {
	t      testing.TB
	w      *scheduling.Wheel
	now    time.Duration
	timers []*scheduling.Timer
	due    map[*scheduling.Timer]time.Duration // pending timers and their (tick-rounded) deadline
	fired  []time.Duration                     // deadlines in firing order, this Advance
}

func newWheelModel(t testing.TB, tick time.Duration) *wheelModel {
	return &wheelModel{t: t, w: scheduling.NewWheel(tick, 0), due: map[*scheduling.Timer]time.Duration{}}
}

func (m *wheelModel) roundUp(at time.Duration) time.Duration {
	tick := m.w.Tick()
	return (at + tick - 1) / tick * tick
}

func (m *wheelModel) insert(at time.Duration) {
	tm := &scheduling.Timer{}
	d := m.roundUp(at)
	ok := m.w.Insert(tm, at, func() {
		if _, pending := m.due[tm]; !pending {
			m.t.Fatalf("a timer fired twice, or after Cancel (deadline %v)", d)
		}
		delete(m.due, tm)
		m.fired = append(m.fired, d)
	})
	if ok != (d/m.w.Tick() > m.now/m.w.Tick()) {
		m.t.Fatalf("Insert(at %v) at time %v = %v", at, m.now, ok)
	}
	if ok {
		m.due[tm] = d
		m.timers = append(m.timers, tm)
	}
}

func (m *wheelModel) cancel(i int) {
	if len(m.timers) == 0 {
		return
	}
	tm := m.timers[i%len(m.timers)]
	_, pending := m.due[tm]
	if got := m.w.Cancel(tm); got != pending {
		m.t.Fatalf("Cancel = %v, want %v", got, pending)
	}
	delete(m.due, tm)
}

func (m *wheelModel) advance(to time.Duration) {
	m.fired = m.fired[:0]
	var want []time.Duration
	for _, d := range m.due {
		if d <= to/m.w.Tick()*m.w.Tick() {
			want = append(want, d)
		}
	}
	slices.Sort(want)
	if next, ok := m.w.NextDeadline(); ok != (len(m.due) > 0) {
		m.t.Fatalf("NextDeadline ok = %v with %d timers", ok, len(m.due))
	} else if ok {
		least := time.Duration(1<<63 - 1)
		for _, d := range m.due {
			least = min(least, d)
		}
		if next != least {
			m.t.Fatalf("NextDeadline = %v, want %v (time %v)", next, least, m.now)
		}
	}
	n := m.w.Advance(to)
	m.now = to
	if n != len(want) || !slices.Equal(m.fired, want) {
		m.t.Fatalf("Advance(%v) fired %d %v, want %v", to, n, m.fired, want)
	}
	if m.w.Len() != len(m.due) {
		m.t.Fatalf("Len = %d, want %d", m.w.Len(), len(m.due))
	}
}

func TestWheelFiresEveryTimerAtItsTickInOrderAcrossAllLevels(t *testing.T) {
	for seed := range uint64(20) {
		rng := rand.New(rand.NewPCG(seed, 1))
		m := newWheelModel(t, time.Millisecond)
		for range 3000 {
			switch op := rng.IntN(10); {
			case op < 5:
				// Deadlines from the next tick to beyond level 5's range.
				span := []time.Duration{50 * time.Millisecond, 5 * time.Second, 10 * time.Minute, 48 * time.Hour, 5 * 365 * 24 * time.Hour}[rng.IntN(5)]
				m.insert(m.now + time.Duration(rng.Int64N(int64(span))))
			case op < 7:
				m.cancel(rng.IntN(1 << 20))
			default:
				// Small steps, and jumps over many slots of every level.
				span := []time.Duration{3 * time.Millisecond, 200 * time.Millisecond, time.Minute, 30 * time.Hour}[rng.IntN(4)]
				m.advance(m.now + time.Duration(rng.Int64N(int64(span))))
			}
		}
		m.advance(m.now + 6*365*24*time.Hour)
		m.advance(m.now + 6*365*24*time.Hour)
		if m.w.Len() != 0 {
			t.Fatalf("seed %d: %d timers never fired", seed, m.w.Len())
		}
	}
}

func TestWheelNeverFiresATimerEarly(t *testing.T) {
	w := scheduling.NewWheel(time.Millisecond, 0)
	fired := false
	w.Insert(&scheduling.Timer{}, 1500*time.Microsecond, func() { fired = true })
	if w.Advance(1999 * time.Microsecond); fired {
		t.Fatal("a 1.5 ms timer fired at 1.999 ms: before its tick (2 ms)")
	}
	if w.Advance(2 * time.Millisecond); !fired {
		t.Fatal("a 1.5 ms timer had not fired at 2 ms")
	}
}

func TestWheelTimerCancelledByAnotherTimerInTheSameSlotDoesNotFire(t *testing.T) {
	w := scheduling.NewWheel(time.Millisecond, 0)
	var a, b scheduling.Timer
	fires := 0
	w.Insert(&a, 5*time.Second, func() { fires++; w.Cancel(&b) })
	w.Insert(&b, 5*time.Second, func() { fires++; w.Cancel(&a) })
	w.Advance(10 * time.Second)
	if fires != 1 || w.Len() != 0 {
		t.Fatalf("fires = %d, Len = %d; want 1 and 0", fires, w.Len())
	}
}

func TestWheelFireFunctionMayInsertTimers(t *testing.T) {
	w := scheduling.NewWheel(time.Millisecond, 0)
	var tm scheduling.Timer
	var at []time.Duration
	var again func()
	again = func() {
		at = append(at, time.Duration(len(at)+1)*100*time.Millisecond)
		if len(at) < 5 {
			w.Insert(&tm, time.Duration(len(at)+1)*100*time.Millisecond, again)
		}
	}
	w.Insert(&tm, 100*time.Millisecond, again)
	for now := time.Duration(0); now <= time.Second; now += 7 * time.Millisecond {
		w.Advance(now)
	}
	if len(at) != 5 {
		t.Fatalf("an interval re-armed from its fire function fired %d times, want 5", len(at))
	}
}
