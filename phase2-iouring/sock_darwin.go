//go:build darwin

package iouring

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"unsafe"

	"golang.org/x/sys/unix"
)

const (
	// acceptFlags: macOS has no accept4; accept sets close-on-exec itself.
	acceptFlags = 0
	// sendFlags: macOS has no MSG_NOSIGNAL; newSocket sets SO_NOSIGPIPE.
	sendFlags = 0
)

func newSocket(ap netip.AddrPort) (int, error) {
	family := unix.AF_INET
	if ap.Addr().Is6() && !ap.Addr().Is4In6() {
		family = unix.AF_INET6
	}
	fd, err := unix.Socket(family, unix.SOCK_STREAM, unix.IPPROTO_TCP)
	if err != nil {
		return -1, fmt.Errorf("iouring: socket: %w", err)
	}
	unix.CloseOnExec(fd)
	// A send to a closed peer is EPIPE, not a SIGPIPE that kills the program.
	if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_NOSIGPIPE, 1); err != nil {
		unix.Close(fd)
		return -1, fmt.Errorf("iouring: socket: SO_NOSIGPIPE: %w", err)
	}
	return fd, nil
}

// rawSockaddr builds a BSD sockaddr (with its length byte) for CONNECT.
func rawSockaddr(ap netip.AddrPort) (unsafe.Pointer, uint32) {
	if a := ap.Addr(); a.Is4() || a.Is4In6() {
		sa := &unix.RawSockaddrInet4{Family: unix.AF_INET, Addr: a.Unmap().As4()}
		sa.Len = uint8(unsafe.Sizeof(*sa))
		binary.BigEndian.PutUint16((*[2]byte)(unsafe.Pointer(&sa.Port))[:], ap.Port())
		return unsafe.Pointer(sa), uint32(unsafe.Sizeof(*sa))
	}
	sa := &unix.RawSockaddrInet6{Family: unix.AF_INET6, Addr: ap.Addr().As16()}
	sa.Len = uint8(unsafe.Sizeof(*sa))
	binary.BigEndian.PutUint16((*[2]byte)(unsafe.Pointer(&sa.Port))[:], ap.Port())
	return unsafe.Pointer(sa), uint32(unsafe.Sizeof(*sa))
}

// accept is the fallback ring's ACCEPT: accept(2), then close-on-exec.
func accept(fd, _ int) (int, unix.Sockaddr, error) {
	nfd, sa, err := unix.Accept(fd)
	if err == nil {
		unix.CloseOnExec(nfd)
	}
	return nfd, sa, err
}

// fdatasync: macOS's fsync(2) is what it offers (F_FULLFSYNC is stronger).
func fdatasync(fd int) error { return unix.Fsync(fd) }

// rawFamily reads a sockaddr's family: the byte after its length on BSDs.
func rawFamily(p unsafe.Pointer) int { return int(*(*uint8)(unsafe.Add(p, 1))) }

// readNoWait is the fallback's READ, never blocking on a pipe or socket:
// macOS has no RWF_NOWAIT, so the descriptor is put in non-blocking mode
// (the fallback is the only ring on macOS: nothing else expects it
// blocking); regular files ignore the flag, as on Linux.
func readNoWait(fd int, b []byte, off uint64) (int, error) {
	return rwNoWait(fd, b, off, unix.Pread, unix.Read)
}

// writeNoWait is readNoWait's twin for WRITE.
func writeNoWait(fd int, b []byte, off uint64) (int, error) {
	return rwNoWait(fd, b, off, unix.Pwrite, unix.Write)
}

func rwNoWait(fd int, b []byte, off uint64,
	positioned func(int, []byte, int64) (int, error),
	plain func(int, []byte) (int, error)) (int, error) {
	if err := unix.SetNonblock(fd, true); err != nil {
		return 0, err
	}
	if off != ^uint64(0) {
		if n, err := positioned(fd, b, int64(off)); err != unix.ESPIPE {
			return n, err
		}
	}
	return plain(fd, b)
}
