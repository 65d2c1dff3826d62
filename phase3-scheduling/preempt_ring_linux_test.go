//go:build linux

package scheduling

import (
	"testing"
	"time"
)

func newTestRing(t *testing.T) *ringSignal {
	t.Helper()
	s, err := newRingSignal()
	if err != nil {
		t.Skipf("no second ring: %v", err)
	}
	t.Cleanup(s.close)
	return s
}

// spinUntil spins until f or the limit, and reports f.
func spinUntil(f func() bool, limit time.Duration) bool {
	for end := time.Now().Add(limit); time.Now().Before(end); {
		if f() {
			return true
		}
	}
	return f()
}

func TestTheRingSignalFiresForItsSliceOnly(t *testing.T) {
	s := newTestRing(t)
	s.arm(200 * time.Microsecond)
	if s.fired() {
		t.Fatal("fired at once")
	}
	if !spinUntil(s.fired, 5*time.Second) {
		t.Fatal("a 200 µs slice timer on the second ring never fired while we spun")
	}
	// The next slice starts clean, though the last one's CQE was there.
	s.arm(time.Hour)
	if spinUntil(s.fired, 3*time.Millisecond) {
		t.Fatal("a new slice was preempted by the last slice's expiry")
	}
}

func TestTheRingSignalIgnoresTheTimerOfASliceThatEndedEarly(t *testing.T) {
	s := newTestRing(t)
	for range 20 {
		s.arm(300 * time.Microsecond) // a slice that ends at once (its queue ran dry)...
		s.arm(time.Hour)              // ...and the next one
		if spinUntil(s.fired, 2*time.Millisecond) {
			t.Fatal("the early-ended slice's timer (or its cancel) preempted the next slice")
		}
	}
}
