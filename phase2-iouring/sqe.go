package iouring

import (
	"errors"
	"unsafe"
)

// The submission/completion API shared by the kernel's io_uring (Linux)
// and the pure-Go fallback ring (everywhere the reactor runs): SQEs go in,
// CQEs come out. The layouts are the kernel's, byte for byte, with
// compile-time checks; the fallback reads the same fields.

// SQE is a submission queue entry (struct io_uring_sqe, 64 bytes): one
// request to the kernel. It lives in memory the kernel maps; the prep
// methods (prep.go) fill it.
type SQE struct {
	Opcode      uint8  // IORING_OP_*
	Flags       uint8  // IOSQE_* (link, drain, async...)
	Ioprio      uint16 // priority; accept and recv flags for some ops
	Fd          int32  // the file descriptor the op works on
	Off         uint64 // file offset; also addr2
	Addr        uint64 // buffer or struct address; also splice_off_in
	Len         uint32 // buffer length, or a count
	OpFlags     uint32 // rw_flags, timeout_flags, accept_flags, cancel_flags, open_flags, msg_flags...
	UserData    uint64 // comes back untouched in the CQE: our op's id
	BufIndex    uint16 // registered buffer index; also buf_group
	Personality uint16
	FileIndex   int32  // splice_fd_in; file_index for direct descriptors
	Addr3       uint64 // a third address (e.g. STATX's statx buffer is Off's slot; see prep)
	_           uint64
}

// CQE is a completion queue entry (struct io_uring_cqe, 16 bytes): the
// result of one request.
type CQE struct {
	UserData uint64 // the SQE's UserData
	Res      int32  // the syscall's result: >= 0 on success, -errno on failure
	Flags    uint32 // IORING_CQE_F_*
}

// Timespec is struct __kernel_timespec, as TIMEOUT and LINK_TIMEOUT read it.
type Timespec struct {
	Sec  int64
	Nsec int64
}

// SQE flags (IOSQE_*).
const (
	SQEIOLink = 1 << 2 // IOSQE_IO_LINK: the next SQE starts when this one completes
)

var (
	_ = [1]struct{}{}[unsafe.Sizeof(SQE{})-64]
	_ = [1]struct{}{}[unsafe.Offsetof(SQE{}.UserData)-32]
	_ = [1]struct{}{}[unsafe.Offsetof(SQE{}.Addr3)-48]
	_ = [1]struct{}{}[unsafe.Sizeof(CQE{})-16]
)

// RingStats counts what the ring did, for benchmarks and the visualiser.
type RingStats struct {
	Enters    uint64 // io_uring_enter calls
	Submitted uint64 // SQEs the kernel consumed
	Reaped    uint64 // CQEs we copied out
	EINTR     uint64 // enters interrupted by a signal and retried
	SQFull    uint64 // NextSQE found the SQ full
	Overflows uint64 // times the kernel held CQEs back in its overflow list
	Wakeups   uint64 // waits ended by another goroutine's Wakeup
}

// ErrSQFull is returned when the submission queue has no free entry even
// after submitting what it held.
var ErrSQFull = errors.New("iouring: submission queue full")

// QueueState describes one of a ring's queues, for the visualiser.
type QueueState struct {
	Entries    uint32
	Head, Tail uint32
}

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
	// end the wait (io_uring: an eventfd READ in flight). It returns the
	// SQE it prepared, if any, for the trace, and ok=false when the wakeup
	// is not armed (the SQ is full): the caller must not wait then.
	ArmWakeup() (sqe *SQE, ok bool)
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
