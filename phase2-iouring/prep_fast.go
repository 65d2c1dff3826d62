//go:build linux || darwin

package iouring

import "unsafe"

// The fast paths' SQEs: registered buffers and files, multishot ops and
// buffers the kernel picks from a ring we provide. Each saves per-op work
// the plain ops repeat every time:
//
//	registered buffer   the kernel pins and maps the pages once, at
//	                    IORING_REGISTER_BUFFERS, not at every READ
//	registered file     the kernel looks the descriptor up once, and skips
//	                    the file reference count on every op
//	multishot           one SQE keeps posting CQEs (IORING_CQE_F_MORE)
//	                    until it fails or is cancelled: no re-arm per event
//	provided buffers    the kernel chooses a buffer when data arrives, so
//	                    an idle connection holds no buffer at all

// SQE flags (IOSQE_*) of the fast paths.
const (
	// SQEFixedFile (IOSQE_FIXED_FILE, 5.1): Fd is an index into the
	// ring's registered file table, not a descriptor.
	SQEFixedFile = 1 << 0
	// SQEBufferSelect (IOSQE_BUFFER_SELECT, 5.7): the kernel picks the
	// buffer from the group in BufIndex; the CQE names it.
	SQEBufferSelect = 1 << 5
)

// CQE flags (IORING_CQE_F_*).
const (
	// CQEFBuffer (IORING_CQE_F_BUFFER, 5.7): the upper 16 bits of Flags
	// are the id of the provided buffer this CQE's data went into.
	CQEFBuffer = 1 << 0
	// CQEFMore (IORING_CQE_F_MORE, 5.13): a multishot op will post more
	// CQEs. A CQE without it is the op's last: it is over, and its
	// user_data may be reused.
	CQEFMore = 1 << 1
)

// BufferID returns the provided buffer a CQE names, and whether it names
// one (IORING_CQE_BUFFER_SHIFT is 16).
func (c CQE) BufferID() (uint16, bool) {
	return uint16(c.Flags >> 16), c.Flags&CQEFBuffer != 0
}

// More reports IORING_CQE_F_MORE: the multishot op that posted c goes on.
func (c CQE) More() bool { return c.Flags&CQEFMore != 0 }

// Ioprio bits that make ACCEPT and RECV multishot.
const (
	acceptMultishot = 1 << 0 // IORING_ACCEPT_MULTISHOT (5.19)
	recvMultishot   = 1 << 1 // IORING_RECV_MULTISHOT (6.0)
	recvPollFirst   = 1 << 0 // IORING_RECVSEND_POLL_FIRST (5.19): arm the poll before trying
)

// PrepReadFixed: IORING_OP_READ_FIXED (5.1), io_uring_prep_read_fixed(3):
// pread(2) into registered buffer index, at buf (which must lie inside that
// buffer). The kernel pinned the pages at registration: nothing to pin
// per op.
func (s *SQE) PrepReadFixed(fd int, buf unsafe.Pointer, n uint32, off uint64, index uint16) {
	s.Opcode, s.Fd, s.Addr, s.Len, s.Off = uint8(OpReadFixed), int32(fd), uint64(uintptr(buf)), n, off
	s.BufIndex = index
}

// PrepWriteFixed: IORING_OP_WRITE_FIXED (5.1), io_uring_prep_write_fixed(3):
// pwrite(2) from registered buffer index.
func (s *SQE) PrepWriteFixed(fd int, buf unsafe.Pointer, n uint32, off uint64, index uint16) {
	s.Opcode, s.Fd, s.Addr, s.Len, s.Off = uint8(OpWriteFixed), int32(fd), uint64(uintptr(buf)), n, off
	s.BufIndex = index
}

// PrepAcceptMultishot: IORING_OP_ACCEPT with IORING_ACCEPT_MULTISHOT
// (5.19), io_uring_prep_multishot_accept(3): one CQE per accepted
// connection (res is the new descriptor), each with IORING_CQE_F_MORE
// while the op goes on. No peer address: a multishot accept has nowhere
// to put one per connection.
func (s *SQE) PrepAcceptMultishot(fd int, flags int) {
	s.Opcode, s.Fd = uint8(OpAccept), int32(fd)
	s.Ioprio = acceptMultishot
	s.OpFlags = uint32(flags)
}

// PrepRecvMultishot: IORING_OP_RECV with IORING_RECV_MULTISHOT (6.0) and
// IOSQE_BUFFER_SELECT, io_uring_prep_recv_multishot(3): each time data
// arrives the kernel takes a buffer from group, fills it, and posts a CQE
// naming it (CQEFBuffer) with CQEFMore. It ends — a CQE without CQEFMore —
// at end of stream (res 0), on an error, or with -ENOBUFS when the group
// has no buffer left; the caller then gives buffers back and re-arms.
func (s *SQE) PrepRecvMultishot(fd int, group uint16, flags int) {
	s.Opcode, s.Fd = uint8(OpRecv), int32(fd)
	s.Ioprio = recvMultishot
	s.Flags |= SQEBufferSelect
	s.BufIndex = group
	s.OpFlags = uint32(flags)
}

// # Direct descriptors
//
// A direct descriptor (5.15) is a file that lives only in the ring's
// registered-file table: OPENAT or ACCEPT with sqe.file_index = slot+1
// installs the new file into that slot instead of the process's
// descriptor table, and the CQE's res is 0. No descriptor exists: every
// later op names the slot with IOSQE_FIXED_FILE, and IORING_OP_CLOSE with
// file_index empties it. The kernel refuses O_CLOEXEC / SOCK_CLOEXEC on
// such an op (-EINVAL): there is no descriptor to close on exec.

// PrepOpenatDirect: IORING_OP_OPENAT (5.6) into registered-file slot
// (5.15), io_uring_prep_openat_direct(3). flags must not hold O_CLOEXEC.
func (s *SQE) PrepOpenatDirect(dirfd int, path *byte, flags int, mode uint32, slot uint32) {
	s.Opcode, s.Fd, s.Addr, s.Len = uint8(OpOpenat), int32(dirfd), uint64(uintptr(unsafe.Pointer(path))), mode
	s.OpFlags = uint32(flags)
	s.FileIndex = int32(slot + 1) // file_index is the slot plus one: 0 means "a descriptor"
}

// PrepAcceptDirect: IORING_OP_ACCEPT (5.5) into registered-file slot
// (5.15), io_uring_prep_accept_direct(3): addr and addrlen receive the
// peer's address as for accept4(2). flags must not hold SOCK_CLOEXEC.
func (s *SQE) PrepAcceptDirect(fd int, addr unsafe.Pointer, addrlen *uint32, flags int, slot uint32) {
	s.Opcode, s.Fd = uint8(OpAccept), int32(fd)
	s.Addr = uint64(uintptr(addr))
	s.Off = uint64(uintptr(unsafe.Pointer(addrlen)))
	s.OpFlags = uint32(flags)
	s.FileIndex = int32(slot + 1)
}

// PrepCloseDirect: IORING_OP_CLOSE (5.6) of registered-file slot (5.15),
// io_uring_prep_close_direct(3): fd must be 0, file_index names the slot.
func (s *SQE) PrepCloseDirect(slot uint32) {
	s.Opcode, s.Fd = uint8(OpClose), 0
	s.FileIndex = int32(slot + 1)
}

// SetPollFirst sets IORING_RECVSEND_POLL_FIRST (5.19) on a RECV or SEND:
// the kernel arms its poll before trying the call, skipping an attempt
// that would fail with EAGAIN on a socket known to be empty (or full).
func (s *SQE) SetPollFirst() { s.Ioprio |= recvPollFirst }
