//go:build linux

package iouring

import (
	"errors"
	"fmt"
	"sync/atomic"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Ring is one io_uring instance: a submission queue (SQ) we fill and the
// kernel drains, a completion queue (CQ) the kernel fills and we drain,
// and the array of SQEs the SQ points into. All three live in memory the
// kernel maps into our address space (outside the Go heap, so the garbage
// collector never moves or frees it).
//
// # Who writes what
//
//	SQ tail   we write (atomic store, after the SQEs are filled)
//	SQ head   the kernel writes as it consumes SQEs (we atomic-load it)
//	CQ tail   the kernel writes as it posts CQEs (we atomic-load it)
//	CQ head   we write (atomic store, after copying the CQEs out)
//
// Go's atomics are sequentially consistent, which is at least the
// release/acquire pairing the kernel's side (smp_load_acquire /
// smp_store_release) expects: an SQE filled before the tail store is seen
// by the kernel that loads the tail; a CQE the kernel wrote before its tail
// store is seen by us after our tail load.
//
// A Ring is not safe for concurrent use: it belongs to the executor that
// owns it. The zero value is not usable; call Setup.
type Ring struct {
	fd     int
	params Params

	sqMem, cqMem, sqeMem []byte // the mappings; cqMem aliases sqMem with SINGLE_MMAP

	sqHead, sqTail, sqFlags, sqDropped *uint32 // in sqMem
	sqMask, sqEntries                  uint32
	sqes                               []SQE // in sqeMem

	cqHead, cqTail, cqOverflow *uint32 // in cqMem
	cqMask, cqEntries          uint32
	cqes                       []CQE // in cqMem

	// sqeTail counts SQEs handed out by NextSQE; sqTail (shared) counts
	// those published to the kernel. Between them are SQEs being filled.
	sqeTail uint32

	stats RingStats
}

// Setup creates a ring with room for entries SQEs (rounded up to a power of
// two by the kernel) and twice as many CQEs. See io_uring_setup(2).
func Setup(entries uint32, flags uint32) (*Ring, error) {
	r := &Ring{fd: -1}
	r.params.Flags = flags | setupClamp
	// io_uring_setup(2): returns a file descriptor for the ring and fills
	// params with the offsets of the fields inside the mappings. Not a
	// blocking call, but RawSyscall buys nothing here: use Syscall.
	fd, _, errno := unix.Syscall(unix.SYS_IO_URING_SETUP, uintptr(entries), uintptr(unsafe.Pointer(&r.params)), 0)
	if errno != 0 {
		return nil, &SetupError{Errno: errno}
	}
	r.fd = int(fd)
	if err := r.mmap(); err != nil {
		r.Close()
		return nil, err
	}
	return r, nil
}

// SetupError says why io_uring_setup failed, in terms a learner can act on.
type SetupError struct{ Errno unix.Errno }

func (e *SetupError) Error() string {
	why := ""
	switch e.Errno {
	case unix.ENOSYS:
		why = " (this kernel has no io_uring: older than 5.1, or built without it)"
	case unix.EPERM:
		why = " (not permitted: kernel.io_uring_disabled is set, or a seccomp profile such as Docker's default blocks it)"
	case unix.ENOMEM:
		why = " (cannot lock the ring's memory: RLIMIT_MEMLOCK is too low on kernels before 5.12)"
	case unix.EINVAL:
		why = " (the kernel rejected the parameters: a flag it does not know?)"
	}
	return fmt.Sprintf("iouring: io_uring_setup: %v%s", e.Errno, why)
}

// Unwrap returns the errno, so errors.Is(err, unix.EPERM) works.
func (e *SetupError) Unwrap() error { return e.Errno }

func (r *Ring) mmap() error {
	p := &r.params
	sqSize := int(p.SQOff.Array + p.SQEntries*4)
	cqSize := int(p.CQOff.Cqes + p.CQEntries*uint32(unsafe.Sizeof(CQE{})))
	single := p.Features&FeatSingleMmap != 0
	if single {
		sqSize = max(sqSize, cqSize)
	}
	var err error
	r.sqMem, err = unix.Mmap(r.fd, offSQRing, sqSize, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED|unix.MAP_POPULATE)
	if err != nil {
		return fmt.Errorf("iouring: mmap SQ ring: %w", err)
	}
	if single {
		r.cqMem = r.sqMem
	} else {
		r.cqMem, err = unix.Mmap(r.fd, offCQRing, cqSize, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED|unix.MAP_POPULATE)
		if err != nil {
			return fmt.Errorf("iouring: mmap CQ ring: %w", err)
		}
	}
	sqeSize := int(p.SQEntries) * int(unsafe.Sizeof(SQE{}))
	r.sqeMem, err = unix.Mmap(r.fd, offSQEs, sqeSize, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED|unix.MAP_POPULATE)
	if err != nil {
		return fmt.Errorf("iouring: mmap SQEs: %w", err)
	}

	at32 := func(mem []byte, off uint32) *uint32 { return (*uint32)(unsafe.Pointer(&mem[off])) }
	r.sqHead = at32(r.sqMem, p.SQOff.Head)
	r.sqTail = at32(r.sqMem, p.SQOff.Tail)
	r.sqFlags = at32(r.sqMem, p.SQOff.Flags)
	r.sqDropped = at32(r.sqMem, p.SQOff.Dropped)
	r.sqMask = *at32(r.sqMem, p.SQOff.RingMask)
	r.sqEntries = *at32(r.sqMem, p.SQOff.RingEntries)
	r.sqes = unsafe.Slice((*SQE)(unsafe.Pointer(&r.sqeMem[0])), r.sqEntries)

	r.cqHead = at32(r.cqMem, p.CQOff.Head)
	r.cqTail = at32(r.cqMem, p.CQOff.Tail)
	r.cqOverflow = at32(r.cqMem, p.CQOff.Overflow)
	r.cqMask = *at32(r.cqMem, p.CQOff.RingMask)
	r.cqEntries = *at32(r.cqMem, p.CQOff.RingEntries)
	r.cqes = unsafe.Slice((*CQE)(unsafe.Pointer(&r.cqMem[p.CQOff.Cqes])), r.cqEntries)

	// The SQ ring holds indexes into the SQE array, not SQEs. We always
	// use SQE i for ring slot i, so fill the index array once: slot i → i.
	array := unsafe.Slice(at32(r.sqMem, p.SQOff.Array), r.sqEntries)
	for i := range array {
		array[i] = uint32(i)
	}
	r.sqeTail = atomic.LoadUint32(r.sqTail)
	return nil
}

// Close unmaps the rings and closes the ring's descriptor. Requests still
// in flight are cancelled by the kernel; their memory must stay valid
// until then, which is the caller's business (the reactor drains first).
func (r *Ring) Close() error {
	var errs []error
	if r.sqeMem != nil {
		errs = append(errs, unix.Munmap(r.sqeMem))
	}
	if r.cqMem != nil && (r.sqMem == nil || &r.cqMem[0] != &r.sqMem[0]) {
		errs = append(errs, unix.Munmap(r.cqMem))
	}
	if r.sqMem != nil {
		errs = append(errs, unix.Munmap(r.sqMem))
	}
	r.sqeMem, r.cqMem, r.sqMem, r.sqes, r.cqes = nil, nil, nil, nil, nil
	if r.fd >= 0 {
		errs = append(errs, unix.Close(r.fd))
		r.fd = -1
	}
	return errors.Join(errs...)
}

// Params returns what the kernel answered at setup (entries, features).
func (r *Ring) Params() Params { return r.params }

// Fd returns the ring's file descriptor.
func (r *Ring) Fd() int { return r.fd }

// Stats returns the ring's counters.
func (r *Ring) Stats() RingStats { return r.stats }

// SQSpace returns how many SQEs NextSQE can still hand out before the SQ
// is full.
func (r *Ring) SQSpace() uint32 {
	return r.sqEntries - (r.sqeTail - atomic.LoadUint32(r.sqHead))
}

// NextSQE returns the next free SQE, zeroed, or nil when the SQ is full
// (submit, then try again). The SQE is not seen by the kernel until Submit
// publishes it.
func (r *Ring) NextSQE() *SQE {
	// The kernel advances sqHead as it consumes SQEs; load it to see how
	// many slots it has given back.
	if r.sqeTail-atomic.LoadUint32(r.sqHead) >= r.sqEntries {
		r.stats.SQFull++
		return nil
	}
	sqe := &r.sqes[r.sqeTail&r.sqMask]
	*sqe = SQE{}
	r.sqeTail++
	return sqe
}

// flush publishes the SQEs handed out since the last flush by storing the
// SQ tail, and returns how many the kernel has yet to consume.
func (r *Ring) flush() uint32 {
	// The atomic store is the release: every SQE written before it is
	// visible to the kernel once it loads the tail.
	atomic.StoreUint32(r.sqTail, r.sqeTail)
	return r.sqeTail - atomic.LoadUint32(r.sqHead)
}

// Pending returns the number of SQEs handed out but not yet consumed by
// the kernel.
func (r *Ring) Pending() uint32 { return r.sqeTail - atomic.LoadUint32(r.sqHead) }

// Submit publishes the pending SQEs and enters the kernel once to submit
// them; with wait > 0 it also waits until at least wait CQEs are ready.
// It returns the number of SQEs the kernel consumed.
func (r *Ring) Submit(wait uint32) (int, error) {
	toSubmit := r.flush()
	var flags uint32
	if wait > 0 || r.overflowed() || r.taskrunPending() {
		flags |= enterGetEvents
	}
	if toSubmit == 0 && flags == 0 {
		return 0, nil
	}
	return r.enter(toSubmit, wait, flags)
}

// overflowed reports whether the kernel holds CQEs in its overflow list
// (FEAT_NODROP): an enter with GETEVENTS moves them into the CQ once we
// have made room.
func (r *Ring) overflowed() bool {
	return atomic.LoadUint32(r.sqFlags)&sqCQOverflow != 0
}

// taskrunPending reports whether completions wait in the kernel to be run
// by an enter with GETEVENTS. Only a DEFER_TASKRUN ring needs this: its
// completions are posted to the CQ by the issuing thread's next
// io_uring_enter(GETEVENTS) and never behind its back, so without the
// check a busy executor that only polls would never see them. The ring is
// set up with TASKRUN_FLAG too, which makes the kernel raise
// IORING_SQ_TASKRUN in the shared sq_flags word when such work is queued
// (and clear it when the work has run); one atomic load per poll.
func (r *Ring) taskrunPending() bool {
	return r.params.Flags&setupDeferTaskrun != 0 && atomic.LoadUint32(r.sqFlags)&sqTaskrun != 0
}

// enter is io_uring_enter(2), retried on EINTR.
//
// It goes through unix.Syscall6, never RawSyscall6: with min_complete > 0
// the call blocks, and a raw blocking syscall keeps its P and stalls the
// whole program's garbage collector. Syscall6 tells the Go scheduler the
// thread is in the kernel.
//
// EINTR: Go's own preemption signals (SIGURG) and profilers interrupt a
// waiting enter. If the kernel had consumed SQEs in that call it returns
// their count instead of EINTR, so EINTR means nothing was submitted and
// the same call is safe to repeat. A successful return does not promise
// min_complete CQEs either (a signal may end the wait early): callers read
// the CQ tail, they do not count on wait.
func (r *Ring) enter(toSubmit, minComplete, flags uint32) (int, error) {
	for {
		r.stats.Enters++
		n, _, errno := unix.Syscall6(unix.SYS_IO_URING_ENTER, uintptr(r.fd),
			uintptr(toSubmit), uintptr(minComplete), uintptr(flags), 0, 0)
		switch errno {
		case 0:
			r.stats.Submitted += uint64(n)
			return int(n), nil
		case unix.EINTR:
			r.stats.EINTR++
			continue
		case unix.EBUSY, unix.EAGAIN:
			// The CQ is full and the kernel will not take more SQEs
			// until we reap: the caller reaps and comes back.
			r.stats.Overflows++
			return 0, errno
		default:
			return 0, fmt.Errorf("iouring: io_uring_enter: %w", errno)
		}
	}
}

// Reap copies out every CQE that is ready, calls fn for each, then frees
// their slots with one store of the CQ head. It returns how many it
// reaped.
func (r *Ring) Reap(fn func(CQE)) int {
	head := *r.cqHead // only we write it: a plain load is ours to make
	// The tail load is the acquire: CQEs the kernel wrote before storing
	// the tail are visible after it.
	tail := atomic.LoadUint32(r.cqTail)
	n := 0
	for ; head != tail; head++ {
		fn(r.cqes[head&r.cqMask]) // copied out before the slot is released
		n++
	}
	if n > 0 {
		// Release the slots: the kernel may overwrite them after this.
		atomic.StoreUint32(r.cqHead, head)
		r.stats.Reaped += uint64(n)
	}
	return n
}

// CQReady returns the number of CQEs waiting to be reaped.
func (r *Ring) CQReady() uint32 {
	return atomic.LoadUint32(r.cqTail) - atomic.LoadUint32(r.cqHead)
}

// SQ returns the submission queue's size, head and tail (tail including
// SQEs handed out but not yet published).
func (r *Ring) SQ() QueueState {
	return QueueState{Entries: r.sqEntries, Head: atomic.LoadUint32(r.sqHead), Tail: r.sqeTail}
}

// CQ returns the completion queue's size, head and tail.
func (r *Ring) CQ() QueueState {
	return QueueState{Entries: r.cqEntries, Head: atomic.LoadUint32(r.cqHead), Tail: atomic.LoadUint32(r.cqTail)}
}
