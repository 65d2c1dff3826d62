//go:build linux

package iouring

import (
	"errors"
	"runtime"
	"strings"
	"testing"
	"time"

	executor "asyncworkbook/phase1-executor"

	"golang.org/x/sys/unix"
)

// onLockedThread runs f on a goroutine locked to an OS thread of its own
// for f's whole life, as a ring set up WithSingleIssuer requires. The
// thread ends with the goroutine (it is never unlocked).
func onLockedThread(t *testing.T, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		runtime.LockOSThread()
		f()
	}()
	<-done
}

func newOwnedReactor(t *testing.T, opts ...ReactorOption) *Reactor {
	t.Helper()
	r, err := newPlatformReactor(32, true, applyOptions(opts))
	var se *SetupError
	if errors.As(err, &se) && (se.Errno == unix.ENOSYS || se.Errno == unix.EPERM) {
		t.Skipf("io_uring unavailable: %v", err)
	}
	if err != nil {
		t.Fatalf("a ring with options: %v (a refused flag must be dropped, not fatal)", err)
	}
	return r
}

func applyOptions(opts []ReactorOption) reactorConfig {
	var c reactorConfig
	for _, o := range opts {
		o(&c)
	}
	return c
}

func TestSetupFlagsSayWhatTheRingGot(t *testing.T) {
	r := newKernelReactor(t)
	if got := r.SetupFlags(); got != "COOP_TASKRUN" {
		t.Errorf("default ring: SetupFlags() = %q, want COOP_TASKRUN", got)
	}
	r.Close()
	onLockedThread(t, func() {
		r := newOwnedReactor(t, WithDeferTaskrun())
		defer r.Close()
		got := r.SetupFlags()
		if strings.Contains(got, "refused") {
			t.Skipf("kernel refused DEFER_TASKRUN: %s", got)
		}
		if got != "SINGLE_ISSUER DEFER_TASKRUN TASKRUN_FLAG" {
			t.Errorf("WithDeferTaskrun: SetupFlags() = %q", got)
		}
	})
	fb, _ := newFallbackReactor(8, "test")
	defer fb.Close()
	if got := fb.SetupFlags(); !strings.Contains(got, "fallback") {
		t.Errorf("fallback: SetupFlags() = %q", got)
	}
}

// TestRefusedFlagsAreDroppedWithTheReason makes the kernel refuse
// DEFER_TASKRUN, as a 6.0 kernel would, and expects a ring that has the
// rest and says what it lacks.
func TestRefusedFlagsAreDroppedWithTheReason(t *testing.T) {
	old := setupHook
	defer func() { setupHook = old }()
	setupHook = func(entries, flags uint32) (*Ring, error) {
		if flags&setupDeferTaskrun != 0 {
			return nil, &SetupError{Errno: unix.EINVAL}
		}
		return old(entries, flags)
	}
	onLockedThread(t, func() {
		r := newOwnedReactor(t, WithDeferTaskrun())
		defer r.Close()
		want := "COOP_TASKRUN SINGLE_ISSUER (refused: DEFER_TASKRUN TASKRUN_FLAG: invalid argument)"
		if got := r.SetupFlags(); got != want {
			t.Errorf("SetupFlags() = %q, want %q", got, want)
		}
	})
}

// TestDeferTaskrunCompletionsReachABusyExecutor keeps the executor busy so
// it never parks and only polls. On a DEFER_TASKRUN ring a completion that
// does not happen inline (a timer's) is posted to the CQ only by an enter
// with GETEVENTS; a poll that looks at the SQ and the CQ alone would never
// see it.
func TestDeferTaskrunCompletionsReachABusyExecutor(t *testing.T) {
	onLockedThread(t, func() {
		r := newOwnedReactor(t, WithDeferTaskrun())
		if !strings.Contains(r.SetupFlags(), "DEFER_TASKRUN ") {
			r.Close()
			t.Skipf("no DEFER_TASKRUN: %s", r.SetupFlags())
		}
		ex := executor.New(executor.WithDriver(r))
		slept := false
		executor.Spawn(ex, Sleep(r, time.Microsecond)).Detach()
		busy := executor.Async(func(a *executor.Awaiter) error {
			start := time.Now()
			// Long past the 1 µs timer: its completion waits in the kernel.
			for time.Since(start) < 50*time.Millisecond {
				executor.Await(a, executor.YieldNow())
			}
			for range 1000 {
				if r.InFlight() == 0 {
					slept = true
					return nil
				}
				executor.Await(a, executor.YieldNow())
			}
			return errors.New("the timer's CQE never reached a busy executor (polls without GETEVENTS?)")
		})
		missed, err := executor.BlockOn(ex, busy)
		ex.Close()
		if cerr := r.Close(); cerr != nil {
			t.Error(cerr)
		}
		if err != nil {
			t.Fatal(err)
		}
		if missed != nil || !slept {
			t.Fatal(missed)
		}
	})
}

// TestSingleIssuerRingRefusesAnotherThread shows the kernel enforces the
// promise: an enter from a second thread fails with EEXIST, and the
// reactor fails with that error rather than carrying on.
func TestSingleIssuerRingRefusesAnotherThread(t *testing.T) {
	var r *Reactor
	owner := make(chan func())
	ownerDone := make(chan struct{})
	go func() {
		defer close(ownerDone)
		runtime.LockOSThread()
		r = newOwnedReactor(t, WithSingleIssuer())
		owner <- nil
		for f := range owner {
			f()
		}
	}()
	<-owner
	if strings.Contains(r.SetupFlags(), "refused") {
		owner <- func() { r.Close() }
		close(owner)
		<-ownerDone
		t.Skipf("the kernel refused SINGLE_ISSUER: %s", r.SetupFlags())
	}
	onLockedThread(t, func() {
		sqe := r.ring.(*uringRings).NextSQE()
		sqe.PrepNop()
		_ = r.submit(0)
	})
	err := r.Err()
	done := make(chan struct{})
	owner <- func() { r.Close(); close(done) }
	<-done
	close(owner)
	<-ownerDone
	if !errors.Is(err, unix.EEXIST) {
		t.Fatalf("enter from another thread: reactor error %v, want EEXIST", err)
	}
}
