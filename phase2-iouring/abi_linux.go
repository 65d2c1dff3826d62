//go:build linux

package iouring

import "unsafe"

// The kernel's io_uring ABI, written out by hand from
// include/uapi/linux/io_uring.h. Every struct here is shared with the
// kernel byte for byte, so each has a compile-time check of its size and
// of the offsets that matter: a wrong layout does not compile.

// sqringOffsets is struct io_sqring_offsets: where, inside the SQ ring
// mapping, the kernel put each field.
type sqringOffsets struct {
	Head, Tail, RingMask, RingEntries, Flags, Dropped, Array, Resv1 uint32
	UserAddr                                                        uint64
}

// cqringOffsets is struct io_cqring_offsets.
type cqringOffsets struct {
	Head, Tail, RingMask, RingEntries, Overflow, Cqes, Flags, Resv1 uint32
	UserAddr                                                        uint64
}

// Params is struct io_uring_params (120 bytes): what we ask of
// io_uring_setup(2) and what the kernel answers.
type Params struct {
	SQEntries    uint32
	CQEntries    uint32
	Flags        uint32 // IORING_SETUP_*
	SQThreadCPU  uint32
	SQThreadIdle uint32
	Features     uint32 // IORING_FEAT_*, filled by the kernel
	WQFd         uint32
	Resv         [3]uint32
	SQOff        sqringOffsets
	CQOff        cqringOffsets
}

// Compile-time layout checks: indexing a one-element array with a
// constant other than 0 does not compile.
var (
	_ = [1]struct{}{}[unsafe.Sizeof(Params{})-120]
	_ = [1]struct{}{}[unsafe.Offsetof(Params{}.SQOff)-40]
	_ = [1]struct{}{}[unsafe.Offsetof(Params{}.CQOff)-80]
)

// io_uring_setup(2) flags (IORING_SETUP_*).
const (
	setupIOPoll       = 1 << 0
	setupSQPoll       = 1 << 1
	setupCQSize       = 1 << 3               // Params.CQEntries is the CQ size (5.5)
	setupClamp        = 1 << 4               // clamp entries to the maximum instead of failing (5.6)
	setupSubmitAll    = 1 << 7               // keep submitting after an SQE fails to prep (5.18)
	setupCoopTaskrun  = setupCoopTaskrunBit  // no IPI to run completions: we enter often anyway (5.19)
	setupTaskrunFlag  = setupTaskrunFlagBit  // the kernel sets IORING_SQ_TASKRUN when completions wait to be run (5.19)
	setupSingleIssuer = setupSingleIssuerBit // one task submits (6.0)
	setupDeferTaskrun = setupDeferTaskrunBit // completions run only when we enter (6.1)
)

// Features reported in Params.Features (IORING_FEAT_*).
const (
	FeatSingleMmap = 1 << 0 // SQ and CQ rings share one mapping (5.4)
	FeatNoDrop     = 1 << 1 // CQEs are never dropped: overflow is kept and flushed (5.5)
	FeatExtArg     = 1 << 8 // io_uring_enter takes a timeout argument (5.11)
)

// io_uring_enter(2) flags.
const (
	enterGetEvents = 1 << 0 // IORING_ENTER_GETEVENTS: wait for min_complete CQEs
)

// SQ ring flags, written by the kernel.
const (
	sqNeedWakeup = 1 << 0 // IORING_SQ_NEED_WAKEUP (SQPOLL only)
	sqCQOverflow = 1 << 1 // IORING_SQ_CQ_OVERFLOW: CQEs wait in the kernel's overflow list
	sqTaskrun    = 1 << 2 // IORING_SQ_TASKRUN: completions wait for an enter with GETEVENTS (5.19)
)

// mmap offsets of the three regions (IORING_OFF_*).
const (
	offSQRing = 0
	offCQRing = 0x8000000
	offSQEs   = 0x10000000
)

// io_uring_register(2) opcodes.
const (
	registerProbe = 8 // IORING_REGISTER_PROBE (5.6)
)
