//go:build linux

package scheduling

import (
	"os"
	"time"

	"golang.org/x/sys/unix"

	iouring "asyncworkbook/phase2-iouring"
)

// ringSignal is Glommio's preemption signal: a second io_uring, used for
// nothing but the slice timer. arm submits an IORING_OP_TIMEOUT (5.4) for
// the slice; when it expires the kernel posts its CQE, which moves this
// ring's CQ tail — a word in memory shared with us — and fired compares
// the CQ's head and tail: two loads, no clock, no system call.
//
// Why not only the Go timer: while the executor's goroutine spins in one
// long poll, Go runs the timer's callback late — about 1 ms late for a
// 200 µs slice on the 2-vCPU machine this was measured on
// (BenchmarkPreemptSignal), against about 20 µs for the ring: the kernel's
// hrtimer posts the CQE by interrupting the spinning thread (the ring is
// set up without COOP_TASKRUN, so completions do not wait for us to enter).
//
// Arming costs one io_uring_enter per slice. A slice that ends early
// leaves its TIMEOUT pending: the next arm cancels it (IORING_OP_
// ASYNC_CANCEL, 5.5) in the same enter, and fired ignores every CQE that
// is not the running slice's own expiry (a cancel's answer, a cancelled
// timeout's -ECANCELED, an old expiry that raced the cancel).
//
// Executor goroutine only; the kernel writes the CQ tail.
type ringSignal struct {
	r       *iouring.Ring
	ts      iouring.Timespec // read by the kernel when it prepares the TIMEOUT, in arm's enter
	gen     uint64           // user_data of the running slice's TIMEOUT
	pending bool             // a TIMEOUT of ours may still be in flight
	expired bool             // the running slice's TIMEOUT expired (sticky until the next arm)
}

const ringCancelUD = 1 << 63 // user_data of the ASYNC_CANCELs

// newRingSignal sets up the ring, or says why it cannot (no io_uring,
// WORKBOOK_RING=fallback): the caller then keeps the Go timer.
func newRingSignal() (*ringSignal, error) {
	if os.Getenv("WORKBOOK_RING") == "fallback" {
		return nil, os.ErrNotExist
	}
	r, err := iouring.Setup(4, 0) // 0: no COOP_TASKRUN, see above
	if err != nil {
		return nil, err
	}
	return &ringSignal{r: r}, nil
}

// arm starts the slice's timer: cancel the last one if it may still be
// pending, submit the new one, in one enter; then drop every CQE already
// there (all stale).
func (s *ringSignal) arm(d time.Duration) {
	if s.pending {
		if sqe := s.r.NextSQE(); sqe != nil {
			sqe.PrepCancel(s.gen, 0)
			sqe.UserData = ringCancelUD
		}
	}
	s.gen++
	s.ts = iouring.Timespec{Sec: int64(d / time.Second), Nsec: int64(d % time.Second)}
	sqe := s.r.NextSQE()
	if sqe == nil {
		return // cannot happen: 4 entries, at most 2 per enter
	}
	sqe.PrepTimeout(&s.ts, 0, 0)
	sqe.UserData = s.gen
	s.expired = false
	if _, err := s.r.Submit(0); err != nil {
		s.pending = false
		return // no signal this slice: Pop's clock check still ends it on time
	}
	s.pending = true
	s.drain()
}

// fired reports whether the running slice's TIMEOUT has expired.
func (s *ringSignal) fired() bool {
	if s.expired {
		return true
	}
	if s.r.CQReady() == 0 { // the fast path: CQ head == tail
		return false
	}
	s.drain()
	return s.expired
}

// drain reaps every CQE, noting the running slice's expiry.
func (s *ringSignal) drain() {
	s.r.Reap(func(c iouring.CQE) {
		if c.UserData == s.gen && c.Res == -int32(unix.ETIME) {
			s.expired = true
			s.pending = false
		}
	})
}

func (s *ringSignal) close() {
	if s.r != nil {
		s.r.Close()
		s.r = nil
	}
}

// setupFlags returns the ring's IORING_SETUP_* flags, false once closed.
func (s *ringSignal) setupFlags() (uint32, bool) {
	if s.r == nil {
		return 0, false
	}
	return s.r.Params().Flags, true
}

// enters counts the ring's io_uring_enter calls.
func (s *ringSignal) enters() uint64 {
	if s.r == nil {
		return 0
	}
	return s.r.Stats().Enters
}

// Kind names the signal, for the workbook to show.
func (s *ringSignal) kind() string { return "io_uring TIMEOUT on a second ring" }
