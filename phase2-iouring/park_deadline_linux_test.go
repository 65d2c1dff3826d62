//go:build linux

package iouring

import (
	"testing"
	"time"

	executor "asyncworkbook/phase1-executor"
)

// parkRings returns the ways ParkTimeout can wait: the kernel's ring with
// EXT_ARG, the kernel's ring with a TIMEOUT SQE, and the fallback ring.
func parkRings(t *testing.T) map[string]func() *Reactor {
	t.Helper()
	return map[string]func() *Reactor{
		"ext-arg": func() *Reactor {
			r := newKernelReactor(t)
			if r.ring.(*uringRings).params.Features&FeatExtArg == 0 {
				t.Skip("kernel without IORING_FEAT_EXT_ARG (5.11)")
			}
			return r
		},
		"timeout-sqe": func() *Reactor { r := newKernelReactor(t); r.park.noExt = true; return r },
		"fallback": func() *Reactor {
			r, err := newFallbackReactor(32, "test")
			if err != nil {
				t.Fatal(err)
			}
			return r
		},
	}
}

func newKernelReactor(t *testing.T) *Reactor {
	t.Helper()
	r, err := newPlatformReactor(32, true, reactorConfig{})
	if err != nil {
		t.Skipf("io_uring unavailable: %v", err)
	}
	return r
}

func TestParkTimeoutReturnsAtTheDeadlineWithOneEnter(t *testing.T) {
	for name, mk := range parkRings(t) {
		t.Run(name, func(t *testing.T) {
			r := mk()
			defer r.Close()
			enters := r.ring.Stats().Enters
			start := time.Now()
			why := r.ParkTimeout(20 * time.Millisecond)
			took := time.Since(start)
			if why != executor.ParkDeadline {
				t.Fatalf("ParkTimeout(20ms) = %q, want %q", why, executor.ParkDeadline)
			}
			if took < 20*time.Millisecond {
				t.Fatalf("ParkTimeout(20ms) returned after %v: early", took)
			}
			if name != "fallback" {
				if n := r.ring.Stats().Enters - enters; n != 1 {
					t.Fatalf("one park took %d io_uring_enter calls, want 1", n)
				}
			}
			if s := r.ParkStats(); s.Parks != 1 || s.Deadlines != 1 {
				t.Fatalf("ParkStats = %+v, want 1 park, 1 deadline", s)
			}
		})
	}
}

func TestUnparkEndsAParkTimeoutEarly(t *testing.T) {
	for name, mk := range parkRings(t) {
		t.Run(name, func(t *testing.T) {
			r := mk()
			defer r.Close()
			done := make(chan struct{})
			go func() { r.Unpark(); close(done) }()
			start := time.Now()
			why := r.ParkTimeout(time.Minute)
			<-done
			if why == executor.ParkDeadline || time.Since(start) > 30*time.Second {
				t.Fatalf("ParkTimeout(1m) with an Unpark = %q after %v, want an early wakeup", why, time.Since(start))
			}
			// The next park still keeps its own deadline: nothing of the
			// first one (its TIMEOUT, its wakeup) cuts it short or stretches it.
			start = time.Now()
			for why = r.ParkTimeout(15 * time.Millisecond); why != executor.ParkDeadline; why = r.ParkTimeout(15*time.Millisecond - time.Since(start)) {
				if time.Since(start) > 15*time.Millisecond+time.Second {
					t.Fatalf("the second park never reached its deadline (last reason %q)", why)
				}
			}
			if took := time.Since(start); took < 15*time.Millisecond {
				t.Fatalf("second ParkTimeout(15ms) returned at the deadline after %v", took)
			}
		})
	}
}
