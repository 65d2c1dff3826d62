//go:build linux

package iouring

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Rings is the submission/completion API the reactor drives. Two
// implementations: the kernel's io_uring (uringRings, over Ring) and the
// pure-Go FallbackRing, which performs the same SQEs on worker goroutines.
// The reactor, the op table and every future are the same for both.
//
// All methods but Wakeup belong to the executor's goroutine.
type Rings interface {
	// NextSQE returns a zeroed SQE to fill, or nil when the SQ is full.
	NextSQE() *SQE
	// Pending counts SQEs handed out but not yet submitted.
	Pending() uint32
	// Submit submits every pending SQE and, with wait > 0, waits until
	// that many CQEs are ready or Wakeup is called.
	Submit(wait uint32) (int, error)
	// Reap hands every ready CQE to fn and frees their slots.
	Reap(fn func(CQE)) int
	// CQReady counts CQEs ready to reap.
	CQReady() uint32
	// NeedsEnter reports work for Submit even with nothing pending (CQEs
	// held in the kernel's overflow list).
	NeedsEnter() bool
	// SQ and CQ describe the queues for the visualiser.
	SQ() QueueState
	CQ() QueueState
	// Stats returns the queue pair's counters.
	Stats() RingStats
	// ArmWakeup prepares, before a waiting Submit, whatever lets Wakeup
	// end the wait (io_uring: an eventfd READ in flight).
	ArmWakeup()
	// Wakeup ends a waiting Submit now, or the next one. Any goroutine.
	Wakeup()
	// Consumed reports whether c is the ring's own wakeup CQE, handling it
	// (the reactor skips those).
	Consumed(c CQE) bool
	// Kind names the implementation, for the workbook to show.
	Kind() string
	// Close releases the rings; the reactor has drained every op first.
	Close() error
}

// uringRings is the kernel's io_uring plus the eventfd that lets another
// goroutine cut a waiting io_uring_enter short.
type uringRings struct {
	*Ring

	efd      int          // eventfd that Wakeup writes; guarded by efdMu against Close
	efdMu    sync.RWMutex // Wakeup holds it shared; Close exclusively
	efdBuf   *[8]byte     // where the eventfd READ lands: outside the Go heap
	scratch  []byte       // the mmap'd page holding efdBuf
	efdArmed bool         // a READ of efd is in flight (executor goroutine)
}

// udEventfd is the user_data of the eventfd READ.
const udEventfd uint64 = 1<<63 | 1

func newURingRings(entries uint32) (*uringRings, error) {
	// COOP_TASKRUN (5.19): completions are run when we enter, which we do
	// every turn anyway, instead of by interrupting the thread. Older
	// kernels reject the flag: try again without it.
	ring, err := setupHook(entries, setupCoopTaskrun)
	if err != nil && errors.Is(err, unix.EINVAL) {
		ring, err = setupHook(entries, 0)
	}
	if err != nil {
		return nil, err
	}
	u := &uringRings{Ring: ring, efd: -1}
	// eventfd(2): a counter the kernel can wait on. Non-blocking, so a
	// stray read(2) could never hang; we only read it through the ring.
	u.efd, err = unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK)
	if err != nil {
		ring.Close()
		return nil, fmt.Errorf("iouring: eventfd: %w", err)
	}
	// The eventfd READ's 8-byte buffer is in flight whenever the reactor
	// parks, for the reactor's whole life: give it a page of its own
	// outside the Go heap rather than pinning a Go object that long.
	u.scratch, err = unix.Mmap(-1, 0, os.Getpagesize(), unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS)
	if err != nil {
		unix.Close(u.efd)
		ring.Close()
		return nil, fmt.Errorf("iouring: mmap scratch page: %w", err)
	}
	u.efdBuf = (*[8]byte)(unsafe.Pointer(&u.scratch[0]))
	return u, nil
}

// setupHook is Setup, replaceable by tests that need io_uring to be
// refused (to exercise the fallback path).
var setupHook = Setup

func (u *uringRings) NeedsEnter() bool { return u.overflowed() }

func (u *uringRings) Kind() string { return "io_uring" }

func (u *uringRings) ArmWakeup() {
	if u.efdArmed {
		return
	}
	sqe := u.NextSQE()
	if sqe == nil {
		if _, err := u.Submit(0); err != nil {
			return
		}
		if sqe = u.NextSQE(); sqe == nil {
			return
		}
	}
	// IORING_OP_READ (5.6) of the eventfd: completes when Wakeup writes.
	sqe.PrepRead(u.efd, unsafe.Pointer(u.efdBuf), 8, 0)
	sqe.UserData = udEventfd
	u.efdArmed = true
}

// Wakeup writes the eventfd, completing the READ a waiting enter sleeps
// on. The read lock keeps Close from closing the eventfd under a late
// waker: without it, a waker firing after Close could write into whatever
// file reused the descriptor number. Wakeup runs only when the executor is
// parked, so the lock is off the hot path.
func (u *uringRings) Wakeup() {
	u.efdMu.RLock()
	defer u.efdMu.RUnlock()
	if u.efd < 0 {
		return
	}
	one := [8]byte{1}
	// write(2) on a non-blocking eventfd fails only with EAGAIN when the
	// counter would overflow, which means a wakeup is already pending.
	_, _ = unix.Write(u.efd, one[:])
}

func (u *uringRings) Consumed(c CQE) bool {
	if c.UserData != udEventfd {
		return false
	}
	u.efdArmed = false
	u.stats.Wakeups++
	return true
}

// armed reports whether the eventfd READ is still in flight.
func (u *uringRings) armed() bool { return u.efdArmed }

func (u *uringRings) Close() error {
	u.efdMu.Lock()
	defer u.efdMu.Unlock()
	err := u.Ring.Close()
	if u.efd >= 0 {
		if cerr := unix.Close(u.efd); err == nil {
			err = cerr
		}
		u.efd = -1
	}
	if u.scratch != nil {
		if merr := unix.Munmap(u.scratch); err == nil {
			err = merr
		}
		u.scratch = nil
	}
	return err
}
