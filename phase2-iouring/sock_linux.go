//go:build linux

package iouring

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"unsafe"

	"golang.org/x/sys/unix"
)

const (
	// acceptFlags: accepted descriptors are not inherited by children.
	acceptFlags = unix.SOCK_CLOEXEC
	// sendFlags: MSG_NOSIGNAL, so a send to a closed peer is EPIPE, not a
	// SIGPIPE that kills the program.
	sendFlags = unix.MSG_NOSIGNAL
)

func newSocket(ap netip.AddrPort) (int, error) {
	family := unix.AF_INET
	if ap.Addr().Is6() && !ap.Addr().Is4In6() {
		family = unix.AF_INET6
	}
	// A blocking socket: io_uring arms its own poll and retries, so the
	// submitting thread never blocks on it.
	fd, err := unix.Socket(family, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, unix.IPPROTO_TCP)
	if err != nil {
		return -1, fmt.Errorf("iouring: socket: %w", err)
	}
	return fd, nil
}

// rawSockaddr builds the kernel's sockaddr for CONNECT, which takes a raw
// pointer (x/sys keeps its own conversion private).
func rawSockaddr(ap netip.AddrPort) (unsafe.Pointer, uint32) {
	if a := ap.Addr(); a.Is4() || a.Is4In6() {
		sa := &unix.RawSockaddrInet4{Family: unix.AF_INET, Addr: a.Unmap().As4()}
		binary.BigEndian.PutUint16((*[2]byte)(unsafe.Pointer(&sa.Port))[:], ap.Port())
		return unsafe.Pointer(sa), uint32(unsafe.Sizeof(*sa))
	}
	sa := &unix.RawSockaddrInet6{Family: unix.AF_INET6, Addr: ap.Addr().As16()}
	binary.BigEndian.PutUint16((*[2]byte)(unsafe.Pointer(&sa.Port))[:], ap.Port())
	return unsafe.Pointer(sa), uint32(unsafe.Sizeof(*sa))
}

// accept is the fallback ring's ACCEPT: accept4(2).
func accept(fd, flags int) (int, unix.Sockaddr, error) { return unix.Accept4(fd, flags) }

// fdatasync is the fallback ring's FSYNC with IORING_FSYNC_DATASYNC.
func fdatasync(fd int) error { return unix.Fdatasync(fd) }

// rawFamily reads a sockaddr's family: a uint16 at its start on Linux.
func rawFamily(p unsafe.Pointer) int { return int(*(*uint16)(p)) }

// readNoWait is the fallback's READ: pread at off, or read at the file
// position (off -1, or a descriptor that cannot seek), that never blocks
// on a pipe or a socket — preadv2(2) with RWF_NOWAIT (4.14) says EAGAIN
// instead. A regular file whose data is not cached says EAGAIN too; it is
// read blocking, which the disk bounds. Descriptors that do not know
// RWF_NOWAIT (EOPNOTSUPP) are read plainly, after poll said ready.
func readNoWait(fd int, b []byte, off uint64) (int, error) {
	return rwNoWait(fd, b, off, unix.Preadv2, unix.Pread, unix.Read)
}

// writeNoWait is readNoWait's twin for WRITE: pwritev2(2), RWF_NOWAIT.
func writeNoWait(fd int, b []byte, off uint64) (int, error) {
	return rwNoWait(fd, b, off, unix.Pwritev2, unix.Pwrite, unix.Write)
}

func rwNoWait(fd int, b []byte, off uint64,
	v2 func(int, [][]byte, int64, int) (int, error),
	positioned func(int, []byte, int64) (int, error),
	plain func(int, []byte) (int, error)) (int, error) {
	o := int64(-1)
	if off != ^uint64(0) {
		o = int64(off)
	}
	iov := [][]byte{b}
	n, err := v2(fd, iov, o, unix.RWF_NOWAIT)
	if err == unix.ESPIPE {
		o = -1
		n, err = v2(fd, iov, o, unix.RWF_NOWAIT)
	}
	if err == unix.EOPNOTSUPP || (err == unix.EAGAIN && isRegular(fd)) {
		if o >= 0 {
			return positioned(fd, b, o)
		}
		return plain(fd, b)
	}
	return n, err
}

func isRegular(fd int) bool {
	var st unix.Stat_t
	return unix.Fstat(fd, &st) == nil && st.Mode&unix.S_IFMT == unix.S_IFREG
}
