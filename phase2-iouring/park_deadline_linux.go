//go:build linux

package iouring

import (
	"fmt"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// io_uring_enter(2) flag: the last two arguments are a struct
// io_uring_getevents_arg and its size (5.11).
const enterExtArg = 1 << 3

// waitTimeout submits what is pending and waits for one CQE, a wakeup, or
// d, on whichever ring the reactor runs.
func (r *Reactor) waitTimeout(d time.Duration) error {
	switch ring := r.ring.(type) {
	case *uringRings:
		if ring.params.Features&FeatExtArg != 0 && !r.park.noExt {
			expired, err := ring.enterTimeout(&r.park, d)
			r.park.expired = expired
			return err
		}
		// IORING_OP_TIMEOUT (5.4), count 1: -ETIME after d, or 0 once
		// one other CQE has posted.
		sqe := ring.NextSQE()
		if sqe == nil {
			if _, err := ring.Submit(0); err != nil {
				return err
			}
			r.reap()
			if sqe = ring.NextSQE(); sqe == nil {
				return ErrSQFull
			}
		}
		r.park.gen++
		r.park.ts = Timespec{Sec: int64(d / time.Second), Nsec: int64(d % time.Second)}
		sqe.PrepTimeout(&r.park.ts, 1, 0)
		sqe.UserData = udParkTimeout | uint64(r.park.gen)
		_, err := ring.Submit(1)
		if err != nil && (err == unix.EBUSY || err == unix.EAGAIN) {
			err = nil // the CQ is full: the caller reaps
		}
		return err
	case *FallbackRing:
		r.park.expired = ring.waitFallback(d)
		return nil
	}
	return fmt.Errorf("iouring: ParkTimeout: unknown ring %T", r.ring)
}

// enterTimeout is io_uring_enter with GETEVENTS|EXT_ARG: submit what is
// pending and wait for one CQE for at most d. It reports whether the
// wait ended by its timeout (-ETIME).
//
// The timespec is relative. On EINTR (Go's preemption signal, a
// profiler) nothing was submitted and the wait is entered again with
// what is left of d, so a signal neither ends the park early nor makes
// it longer.
//
// p.arg and p.ts live in the Reactor, in the Go heap, which does not move
// objects: the kernel reads them during the call only.
func (u *uringRings) enterTimeout(p *parkDeadline, d time.Duration) (expired bool, err error) {
	deadline := time.Now().Add(d)
	toSubmit := u.flush()
	for {
		p.ts = Timespec{Sec: int64(d / time.Second), Nsec: int64(d % time.Second)}
		p.arg = [3]uint64{0, 0, uint64(uintptr(unsafe.Pointer(&p.ts)))}
		u.stats.Enters++
		n, _, errno := unix.Syscall6(unix.SYS_IO_URING_ENTER, uintptr(u.fd),
			uintptr(toSubmit), 1, enterGetEvents|enterExtArg,
			uintptr(unsafe.Pointer(&p.arg)), unsafe.Sizeof(p.arg))
		switch errno {
		case 0:
			// When SQEs went in with the call (the eventfd READ, the
			// turn's I/O) the kernel returns their count, not -ETIME,
			// even if the wait then timed out: look at the CQ and the
			// clock to tell.
			u.stats.Submitted += uint64(n)
			toSubmit = 0
			if u.CQReady() > 0 {
				return false, nil
			}
			if d = time.Until(deadline); d <= 0 {
				return true, nil
			}
			continue // submitted, then interrupted: wait for the rest
		case unix.ETIME:
			// The wait timed out: the deadline the caller asked for.
			return true, nil
		case unix.EINTR:
			u.stats.EINTR++
			if d = time.Until(deadline); d <= 0 {
				return true, nil
			}
			continue
		case unix.EBUSY, unix.EAGAIN:
			u.stats.Overflows++
			return false, nil // the CQ is full: the caller reaps
		default:
			return false, fmt.Errorf("iouring: io_uring_enter(EXT_ARG): %w", errno)
		}
	}
}
