//go:build darwin

package iouring

import (
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// statBuf is what a STATX op writes into on macOS, which has no statx(2):
// the fallback ring fills a struct stat with fstatat(2).
type statBuf = unix.Stat_t

// atEmptyPath is Linux's AT_EMPTY_PATH; the fallback turns "" + this flag
// into an fstat of the descriptor.
const atEmptyPath = 0x1000

func prepStat(sqe *SQE, fd int, empty *byte, st *statBuf) {
	sqe.PrepStatx(fd, empty, atEmptyPath, 0, unsafe.Pointer(st))
}

func fileInfo(st *statBuf) FileInfo {
	return FileInfo{
		Size:    st.Size,
		Mode:    uint32(st.Mode),
		ModTime: time.Unix(st.Mtim.Sec, st.Mtim.Nsec),
	}
}

// performStat is the fallback ring's STATX on macOS: fstat(2) of the
// descriptor itself, or fstatat(2) of a path.
func performStat(dirfd int, path string, flags int, mask uint32, buf unsafe.Pointer) int32 {
	st := (*statBuf)(buf)
	if path == "" && flags&atEmptyPath != 0 {
		return result(0, unix.Fstat(dirfd, st))
	}
	return result(0, unix.Fstatat(dirfd, path, st, flags&^atEmptyPath))
}
