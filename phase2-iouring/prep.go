//go:build linux || darwin

package iouring

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// Prep helpers fill an SQE for one opcode, as liburing's io_uring_prep_*
// do, and name the man page that documents the operation. They only write
// the SQE: the memory an address points to must stay valid and unmoved
// until the op's CQE arrives (the reactor pins it), except where a comment
// says the kernel copies it at submission.

// PrepNop: IORING_OP_NOP (5.1), io_uring_prep_nop(3). Does nothing and
// completes with res 0.
func (s *SQE) PrepNop() { s.Opcode = uint8(OpNop); s.Fd = -1 }

// PrepRead: IORING_OP_READ (5.6), io_uring_prep_read(3): pread(2) of len
// bytes at off into buf. off = -1 (as uint64) reads at the file position.
func (s *SQE) PrepRead(fd int, buf unsafe.Pointer, n uint32, off uint64) {
	s.Opcode, s.Fd, s.Addr, s.Len, s.Off = uint8(OpRead), int32(fd), uint64(uintptr(buf)), n, off
}

// PrepWrite: IORING_OP_WRITE (5.6), io_uring_prep_write(3): pwrite(2).
func (s *SQE) PrepWrite(fd int, buf unsafe.Pointer, n uint32, off uint64) {
	s.Opcode, s.Fd, s.Addr, s.Len, s.Off = uint8(OpWrite), int32(fd), uint64(uintptr(buf)), n, off
}

// PrepOpenat: IORING_OP_OPENAT (5.6), io_uring_prep_openat(3): openat(2)
// of the NUL-terminated path, relative to dirfd (unix.AT_FDCWD for the
// working directory). The kernel reads path while it runs the op, so path
// must stay valid until the CQE.
func (s *SQE) PrepOpenat(dirfd int, path *byte, flags int, mode uint32) {
	s.Opcode, s.Fd, s.Addr, s.Len = uint8(OpOpenat), int32(dirfd), uint64(uintptr(unsafe.Pointer(path))), mode
	s.OpFlags = uint32(flags) | unix.O_CLOEXEC
}

// PrepClose: IORING_OP_CLOSE (5.6), io_uring_prep_close(3): close(2).
func (s *SQE) PrepClose(fd int) { s.Opcode, s.Fd = uint8(OpClose), int32(fd) }

// PrepFsync: IORING_OP_FSYNC (5.1), io_uring_prep_fsync(3): fsync(2), or
// fdatasync(2) with datasync.
func (s *SQE) PrepFsync(fd int, datasync bool) {
	s.Opcode, s.Fd = uint8(OpFsync), int32(fd)
	if datasync {
		s.OpFlags = 1 // IORING_FSYNC_DATASYNC
	}
}

// PrepStatx: IORING_OP_STATX (5.6), io_uring_prep_statx(3): statx(2) of
// path relative to dirfd (with AT_EMPTY_PATH and an empty path: of dirfd
// itself) into st, a struct statx (the fallback ring on systems without
// statx fills a struct stat there instead; see stat_*.go).
func (s *SQE) PrepStatx(dirfd int, path *byte, flags int, mask uint32, st unsafe.Pointer) {
	s.Opcode, s.Fd = uint8(OpStatx), int32(dirfd)
	s.Addr = uint64(uintptr(unsafe.Pointer(path)))
	s.Len = mask
	s.Off = uint64(uintptr(st)) // statx's buffer travels in the offset field
	s.OpFlags = uint32(flags)
}

// PrepAccept: IORING_OP_ACCEPT (5.5), io_uring_prep_accept(3): accept4(2)
// on a listening socket, with accept4's flags (SOCK_CLOEXEC...). addr and
// addrlen may be nil.
func (s *SQE) PrepAccept(fd int, addr *unix.RawSockaddrAny, addrlen *uint32, flags int) {
	s.Opcode, s.Fd = uint8(OpAccept), int32(fd)
	s.Addr = uint64(uintptr(unsafe.Pointer(addr)))
	s.Off = uint64(uintptr(unsafe.Pointer(addrlen))) // addr2: the length's address
	s.OpFlags = uint32(flags)
}

// PrepConnect: IORING_OP_CONNECT (5.5), io_uring_prep_connect(3):
// connect(2). The kernel copies the address when it prepares the op; keep
// it alive until submission at least (the reactor keeps it to the CQE).
func (s *SQE) PrepConnect(fd int, addr unsafe.Pointer, addrlen uint32) {
	s.Opcode, s.Fd = uint8(OpConnect), int32(fd)
	s.Addr = uint64(uintptr(addr))
	s.Off = uint64(addrlen) // addrlen travels by value in the offset field
}

// PrepRecv: IORING_OP_RECV (5.6), io_uring_prep_recv(3): recv(2).
func (s *SQE) PrepRecv(fd int, buf unsafe.Pointer, n uint32, flags int) {
	s.Opcode, s.Fd, s.Addr, s.Len, s.OpFlags = uint8(OpRecv), int32(fd), uint64(uintptr(buf)), n, uint32(flags)
}

// PrepSend: IORING_OP_SEND (5.6), io_uring_prep_send(3): send(2).
func (s *SQE) PrepSend(fd int, buf unsafe.Pointer, n uint32, flags int) {
	s.Opcode, s.Fd, s.Addr, s.Len, s.OpFlags = uint8(OpSend), int32(fd), uint64(uintptr(buf)), n, uint32(flags)
}

// PrepTimeout: IORING_OP_TIMEOUT (5.4), io_uring_prep_timeout(3): completes
// with -ETIME after ts, or with 0 once count other CQEs have posted
// (count 0: only the time counts). The kernel copies ts when it prepares
// the op.
func (s *SQE) PrepTimeout(ts *Timespec, count uint32, flags uint32) {
	s.Opcode, s.Fd = uint8(OpTimeout), -1
	s.Addr, s.Len = uint64(uintptr(unsafe.Pointer(ts))), 1
	s.Off = uint64(count)
	s.OpFlags = flags
}

// PrepLinkTimeout: IORING_OP_LINK_TIMEOUT (5.5),
// io_uring_prep_link_timeout(3): cancels the previous SQE, which must carry
// IOSQE_IO_LINK, if it has not completed after ts.
func (s *SQE) PrepLinkTimeout(ts *Timespec, flags uint32) {
	s.Opcode, s.Fd = uint8(OpLinkTimeout), -1
	s.Addr, s.Len = uint64(uintptr(unsafe.Pointer(ts))), 1
	s.OpFlags = flags
}

// PrepCancel: IORING_OP_ASYNC_CANCEL (5.5), io_uring_prep_cancel64(3):
// asks the kernel to cancel the request whose user_data is target. Its own
// CQE says 0 (cancelled), -ENOENT (not found: already done) or -EALREADY
// (running; it may still complete). The target's CQE comes too, with
// -ECANCELED or its real result.
func (s *SQE) PrepCancel(target uint64, flags uint32) {
	s.Opcode, s.Fd = uint8(OpAsyncCancel), -1
	s.Addr = target
	s.OpFlags = flags
}

// PrepPollAdd: IORING_OP_POLL_ADD (5.1), io_uring_prep_poll_add(3):
// completes when fd is ready for events (POLLIN...), with the ready mask.
func (s *SQE) PrepPollAdd(fd int, events uint32) {
	s.Opcode, s.Fd = uint8(OpPollAdd), int32(fd)
	s.OpFlags = events
}
