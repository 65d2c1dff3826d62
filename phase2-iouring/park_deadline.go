//go:build linux || darwin

package iouring

import (
	"errors"
	"time"

	executor "asyncworkbook/phase1-executor"
	"asyncworkbook/phases/trace"
)

// Parking until a deadline (executor.TimeoutDriver), for phase 3, which
// keeps its timers in user space and parks until the next one with a
// single kernel timeout:
//
//   - io_uring with IORING_FEAT_EXT_ARG (5.11): the wait itself carries
//     the timeout — io_uring_enter(GETEVENTS|EXT_ARG) with a struct
//     io_uring_getevents_arg pointing at a timespec. No SQE, no CQE; an
//     expired wait returns -ETIME, which is not an error.
//   - io_uring without it: an IORING_OP_TIMEOUT SQE (5.4) submitted with
//     the wait, with count 1, so it also completes (res 0) as soon as any
//     other CQE posts: it never outlives the park it was made for. Its
//     CQE carries a generation; one from an earlier park is ignored.
//   - the fallback ring: its wait selects on a Go timer as well.
type parkDeadline struct {
	ts       Timespec  // the wait's timeout; kept here (in the heap) for the kernel to read during the call
	arg      [3]uint64 // struct io_uring_getevents_arg: sigmask, sigmask_sz|pad, ts (a pointer)
	gen      uint32    // generation of the TIMEOUT SQE path's request
	expired  bool      // the last ParkTimeout's deadline passed
	noExt    bool      // tests: take the TIMEOUT SQE path even with EXT_ARG
	parks    uint64    // ParkTimeout calls
	timeouts uint64    // of which the deadline ended
}

// udParkTimeout marks the TIMEOUT SQE path's request: the top bits as the
// reactor's other own requests, the generation in the low 32.
const udParkTimeout uint64 = 1<<63 | 4<<32

// ownsCQE handles the CQE of a park timeout (reactor.complete calls it
// first) and reports whether it was one.
func (p *parkDeadline) ownsCQE(c CQE) bool {
	if c.UserData&^0xffffffff != udParkTimeout {
		return false
	}
	// -ETIME: the time passed; 0: another CQE came first (count 1);
	// anything from an earlier park is stale.
	if uint32(c.UserData) == p.gen && c.Res != 0 {
		p.expired = true
	}
	return true
}

// ParkStats counts ParkTimeout calls and how many ended at the deadline.
type ParkStats struct {
	Parks, Deadlines uint64
}

// ParkStats returns the reactor's park-with-deadline counters.
func (r *Reactor) ParkStats() ParkStats {
	return ParkStats{Parks: r.park.parks, Deadlines: r.park.timeouts}
}

// ParkTimeout implements executor.TimeoutDriver: Park, but for at most d.
// It returns executor.ParkDeadline when d passed with nothing else to do.
func (r *Reactor) ParkTimeout(d time.Duration) string {
	if r.closed {
		r.fail(ErrClosed)
	}
	if r.err != nil {
		return "reactor failed: " + r.err.Error()
	}
	if d <= 0 {
		r.Poll()
		return executor.ParkDeadline
	}
	r.park.parks++
	r.park.expired = false
	r.reserve(2) // room for the eventfd READ and, without EXT_ARG, the TIMEOUT
	sqe, armed := r.ring.ArmWakeup()
	if sqe != nil {
		r.traceOwnSQE(sqe, 0, sqe.Fd)
	}
	if !armed {
		// No wakeup in flight (the SQ had no room for it): a wait now could
		// miss an Unpark. Do the turn's work without waiting, as Park does.
		r.Poll()
		return "wakeup not armed: did not wait"
	}
	before := r.ring.Stats().Reaped
	woke := r.ring.Stats().Wakeups
	if r.ex != nil && r.ex.Tracing() {
		e := r.ex.NewEvent(trace.Submitted, 0)
		e.Note = "wait ≤ " + d.String()
		r.ringPos(e)
		r.ex.Emit(e)
	}
	if err := r.waitTimeout(d); err != nil {
		if errors.Is(err, ErrSQFull) {
			return "SQ full: did not wait" // not fatal: the next turn submits
		}
		r.fail(err)
		return "enter failed: " + err.Error()
	}
	r.reap()
	switch {
	case r.ring.Stats().Wakeups != woke:
		return "unparked by another goroutine (" + r.ring.Kind() + " wakeup)"
	case r.park.expired:
		r.park.timeouts++
		return executor.ParkDeadline
	case r.ring.Stats().Reaped == before:
		return "interrupted"
	}
	return "completion"
}

// waitFallback is the fallback ring's wait with a deadline: Submit's
// loop, with a Go timer beside the ring's signal.
func (f *FallbackRing) waitFallback(d time.Duration) (expired bool) {
	if _, err := f.Submit(0); err != nil {
		return false
	}
	t := time.NewTimer(d)
	defer t.Stop()
	for {
		f.mu.Lock()
		ready, woken := len(f.cq), f.woken
		f.woken = false
		f.mu.Unlock()
		if woken {
			f.stats.Wakeups++
		}
		if ready > 0 || woken {
			return false
		}
		select {
		case <-f.signal:
		case <-t.C:
			return true
		}
	}
}
