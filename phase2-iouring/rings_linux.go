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

func newURingRings(entries uint32, cfg reactorConfig) (*uringRings, string, error) {
	// COOP_TASKRUN (5.19): completions are run when we enter, which we do
	// every turn anyway, instead of by interrupting the thread.
	// DEFER_TASKRUN (6.1) goes further — completions run only when we
	// enter with GETEVENTS — and replaces it; it needs SINGLE_ISSUER (6.0),
	// and TASKRUN_FLAG (5.19) so that a poll knows when to enter
	// (Ring.taskrunPending). Each try drops the newest flag the kernel
	// refused (EINVAL from an older kernel); the last has none.
	var tries []uint32
	switch {
	case cfg.deferTaskrun:
		tries = append(tries, setupSingleIssuer|setupDeferTaskrun|setupTaskrunFlag)
		fallthrough
	case cfg.singleIssuer:
		tries = append(tries, setupSingleIssuer|setupCoopTaskrun)
	}
	tries = append(tries, setupCoopTaskrun, 0)
	var (
		ring    *Ring
		err     error
		refused string
	)
	for i, flags := range tries {
		ring, err = setupHook(entries, flags)
		if err == nil || !errors.Is(err, unix.EINVAL) || i == len(tries)-1 {
			break
		}
		if refused == "" {
			refused = setupNames(flags&^tries[i+1], "") + ": " + unix.EINVAL.Error()
		}
	}
	if err != nil {
		return nil, "", err
	}
	setup := setupNames(ring.params.Flags, refused)
	u := &uringRings{Ring: ring, efd: -1}
	// eventfd(2): a counter the kernel can wait on. Non-blocking, so a
	// stray read(2) could never hang; we only read it through the ring.
	u.efd, err = unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK)
	if err != nil {
		ring.Close()
		return nil, "", fmt.Errorf("iouring: eventfd: %w", err)
	}
	// The eventfd READ's 8-byte buffer is in flight whenever the reactor
	// parks, for the reactor's whole life: give it a page of its own
	// outside the Go heap rather than pinning a Go object that long.
	u.scratch, err = unix.Mmap(-1, 0, os.Getpagesize(), unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS)
	if err != nil {
		unix.Close(u.efd)
		ring.Close()
		return nil, "", fmt.Errorf("iouring: mmap scratch page: %w", err)
	}
	u.efdBuf = (*[8]byte)(unsafe.Pointer(&u.scratch[0]))
	return u, setup, nil
}

// newPlatformReactor uses the kernel's io_uring, falling back to the
// pure-Go ring only when io_uring is unavailable — ENOSYS (no io_uring in
// this kernel) or EPERM (kernel.io_uring_disabled, a seccomp profile) —
// unless required says the user asked for io_uring by name
// (WORKBOOK_RING=io_uring). Any other setup error (EINVAL for bad
// arguments, ENOMEM, EMFILE...) is returned: the fallback would hide a
// mistake or a resource problem behind a slower ring.
func newPlatformReactor(entries uint32, required bool, cfg reactorConfig) (*Reactor, error) {
	if err := checkEntries(entries); err != nil {
		return nil, err
	}
	u, setup, err := newURingRings(entries, cfg)
	if err != nil {
		var se *SetupError
		if errors.As(err, &se) && !required && (se.Errno == unix.ENOSYS || se.Errno == unix.EPERM) {
			return newFallbackReactor(entries, se.Error())
		}
		return nil, err
	}
	r := register(&Reactor{ring: u, why: "io_uring", setup: setup})
	if r.probe, err = u.Probe(); err != nil {
		unregister(r)
		u.Close()
		return nil, err
	}
	if err := r.probe.Require(OpNop, OpRead, OpWrite); err != nil {
		unregister(r)
		u.Close()
		return nil, err
	}
	return r, nil
}

// setupHook is Setup, replaceable by tests that need io_uring to be
// refused (to exercise the fallback path).
var setupHook = Setup

func (u *uringRings) NeedsEnter() bool { return u.overflowed() || u.taskrunPending() }

func (u *uringRings) Kind() string { return "io_uring" }

// ArmWakeup puts the eventfd READ in the SQ unless it is in flight
// already. With the SQ full it arms nothing and says so: the reactor
// submits (and reaps) first, so this happens only if even that failed,
// and then the reactor does not wait — a wait nobody could cut short
// would lose wakeups. It never enters the kernel itself, so a full CQ
// (EBUSY) met here cannot go unreaped.
func (u *uringRings) ArmWakeup() (*SQE, bool) {
	if u.efdArmed {
		return nil, true
	}
	sqe := u.NextSQE()
	if sqe == nil {
		return nil, false
	}
	// IORING_OP_READ (5.6) of the eventfd: completes when Wakeup writes.
	sqe.PrepRead(u.efd, unsafe.Pointer(u.efdBuf), 8, 0)
	sqe.UserData = udEventfd
	u.efdArmed = true
	return sqe, true
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
