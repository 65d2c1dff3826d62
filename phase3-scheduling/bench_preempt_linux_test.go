//go:build linux

package scheduling

import (
	"testing"
	"time"

	iouring "asyncworkbook/phase2-iouring"
)

// Two ways to tell a spinning task its slice is over, side by side: this
// package's (a Go timer sets a bit; NeedPreempt loads it) and Glommio's
// (an IORING_OP_TIMEOUT on a second ring; the check compares that ring's
// CQ head and tail in shared memory). Each benchmark op arms a 200 µs
// slice, then spins on the check until it turns true; late-µs is how long
// after the 200 µs the spinner noticed (mean), arm-ns what arming cost.

const preemptSlice = 200 * time.Microsecond

func BenchmarkPreemptSignal(b *testing.B) {
	b.Run("go-timer", func(b *testing.B) {
		var p preempter
		clock := NewRealClock()
		var late, arm time.Duration
		for b.Loop() {
			t0 := time.Now()
			p.arm(clock.Now() + preemptSlice)
			p.armLate(clock) // as the slice's first NeedPreempt does
			arm += time.Since(t0)
			for !p.fired() {
			}
			late += time.Since(t0) - preemptSlice
			p.disarm()
		}
		b.ReportMetric(float64(late.Microseconds())/float64(b.N), "late-µs")
		b.ReportMetric(float64(arm.Nanoseconds())/float64(b.N), "arm-ns")
	})
	b.Run("second-ring", func(b *testing.B) {
		// No COOP_TASKRUN: the timeout's completion interrupts the
		// spinning thread to post its CQE, which moves the CQ tail.
		r, err := iouring.Setup(8, 0)
		if err != nil {
			b.Skipf("io_uring: %v", err)
		}
		defer r.Close()
		ts := &iouring.Timespec{Nsec: int64(preemptSlice)}
		var late, arm time.Duration
		for b.Loop() {
			t0 := time.Now()
			sqe := r.NextSQE()
			sqe.PrepTimeout(ts, 0, 0)
			if _, err := r.Submit(0); err != nil {
				b.Fatal(err)
			}
			arm += time.Since(t0)
			for r.CQReady() == 0 { // the check: CQ tail != head, two loads
			}
			late += time.Since(t0) - preemptSlice
			r.Reap(func(iouring.CQE) {})
		}
		b.ReportMetric(float64(late.Microseconds())/float64(b.N), "late-µs")
		b.ReportMetric(float64(arm.Nanoseconds())/float64(b.N), "arm-ns")
	})
}

// BenchmarkPreemptCheck is the check alone, for both designs.
func BenchmarkPreemptCheck(b *testing.B) {
	b.Run("go-timer", func(b *testing.B) {
		var p preempter
		p.arm(time.Hour)
		defer p.disarm()
		n := 0
		for b.Loop() {
			if p.fired() {
				n++
			}
		}
		_ = n
	})
	b.Run("second-ring", func(b *testing.B) {
		r, err := iouring.Setup(8, 0)
		if err != nil {
			b.Skipf("io_uring: %v", err)
		}
		defer r.Close()
		n := 0
		for b.Loop() {
			if r.CQReady() != 0 {
				n++
			}
		}
		_ = n
	})
}
