//go:build linux

package iouring

import (
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// statBuf is what a STATX op writes into on Linux: struct statx, filled
// by the kernel (or by statx(2) on the fallback ring).
type statBuf = unix.Statx_t

// prepStat fills a STATX of fd itself (AT_EMPTY_PATH and "").
func prepStat(sqe *SQE, fd int, empty *byte, st *statBuf) {
	sqe.PrepStatx(fd, empty, unix.AT_EMPTY_PATH, unix.STATX_BASIC_STATS, unsafe.Pointer(st))
}

func fileInfo(st *statBuf) FileInfo {
	return FileInfo{
		Size:    int64(st.Size),
		Mode:    uint32(st.Mode),
		ModTime: time.Unix(st.Mtime.Sec, int64(st.Mtime.Nsec)),
	}
}

// performStat is the fallback ring's STATX: statx(2) itself.
func performStat(dirfd int, path string, flags int, mask uint32, buf unsafe.Pointer) int32 {
	return result(0, unix.Statx(dirfd, path, flags, int(mask), (*statBuf)(buf)))
}
