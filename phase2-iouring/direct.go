//go:build linux || darwin

package iouring

import "errors"

// ErrDirectNoFd is returned by File.Stat on a direct descriptor: STATX
// takes a path or a descriptor, never a registered-file slot (the kernel
// says -EBADF), and a direct descriptor has no descriptor.
var ErrDirectNoFd = errors.New("iouring: a direct descriptor has no file descriptor (STATX cannot use a registered-file slot)")

// fixedFD marks sqe as naming a registered-file slot when the file or
// stream is a direct descriptor (direct_linux.go): its fd field holds the
// slot, and IOSQE_FIXED_FILE tells the kernel so.
func fixedFD(sqe *SQE, direct bool) {
	if direct {
		sqe.Flags |= SQEFixedFile
	}
}

// fileIndexAlloc is IORING_FILE_INDEX_ALLOC (~0U, 5.19) in sqe.file_index:
// the kernel picks the slot and the CQE's res says which.
const fileIndexAlloc = -1
