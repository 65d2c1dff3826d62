//go:build linux || darwin

package iouring

import (
	"errors"
	"fmt"
	"time"
	"unsafe"

	executor "asyncworkbook/phase1-executor"
	"golang.org/x/sys/unix"
)

// File is a file opened through the ring. Its methods return futures; each
// is one io_uring operation. A File belongs to its reactor's executor.
type File struct {
	r    *Reactor
	fd   int // the descriptor; a direct descriptor's registered-file slot
	name string
	// direct: the file lives only in a registered-file slot (OpenDirect,
	// direct_linux.go); every SQE names it with IOSQE_FIXED_FILE.
	direct bool
}

// Fd returns the file's descriptor (-1 once closed, and for a direct
// descriptor, which has none: see Slot).
func (f *File) Fd() int {
	if f.direct {
		return -1
	}
	return f.fd
}

// Name returns the path the file was opened with.
func (f *File) Name() string { return f.name }

// Open opens path with IORING_OP_OPENAT (5.6); flags and mode are as for
// open(2) (unix.O_RDONLY, unix.O_CREAT|unix.O_RDWR, ...). The path is
// kept reachable until the CQE: the kernel reads it while it runs the op.
func Open(r *Reactor, path string, flags int, mode uint32) executor.Future[executor.Result[*File]] {
	p, err := unix.BytePtrFromString(path)
	if err != nil {
		return executor.Ready(executor.Result[*File]{Err: fmt.Errorf("iouring: open %q: %w", path, err)})
	}
	op := &opFuture{r: r, code: OpOpenat,
		prep: func(sqe *SQE, o *op) {
			sqe.PrepOpenat(unix.AT_FDCWD, p, flags, mode)
			o.keep = p
		},
		// Opened after we stopped waiting: close it, or it leaks.
		orphaned: func(res int32) {
			if res >= 0 {
				unix.Close(int(res))
			}
		},
	}
	return mapResult(op, func(fd int32) (*File, error) {
		return &File{r: r, fd: int(fd), name: path}, nil
	}, func(err error) error { return &PathError{Op: "open", Path: path, Err: err} })
}

// PathError records a failed operation on a path, like fs.PathError.
type PathError struct {
	Op   string
	Path string
	Err  error
}

func (e *PathError) Error() string { return "iouring: " + e.Op + " " + e.Path + ": " + e.Err.Error() }

// Unwrap returns the cause, so errors.Is(err, fs.ErrNotExist) works.
func (e *PathError) Unwrap() error { return e.Err }

// ErrFileClosed is returned for an operation on a closed File.
var ErrFileClosed = errors.New("iouring: file already closed")

// ReadAt reads up to len(buf) bytes at offset off with IORING_OP_READ
// (5.6). It may read fewer (a short read, at end of file: 0), as pread(2)
// does, and reads at most MaxFileIO bytes per call. The kernel writes a
// buffer of the reactor's pool, copied into buf at the CQE: a ReadAt
// dropped before its CQE never writes buf afterwards.
func (f *File) ReadAt(buf []byte, off int64) executor.Future[executor.Result[int]] {
	return f.rw(OpRead, buf, off)
}

// WriteAt writes buf at offset off with IORING_OP_WRITE (5.6). It may write
// fewer bytes than len(buf) (a short write), as pwrite(2) does, and at most
// MaxFileIO per call. The kernel reads a copy of buf, made at the first
// poll: buf is the caller's again once the future is ready or dropped.
func (f *File) WriteAt(buf []byte, off int64) executor.Future[executor.Result[int]] {
	return f.rw(OpWrite, buf, off)
}

// MaxFileIO is the most bytes one ReadAt or WriteAt moves: the largest
// buffer of the reactor's pool.
const MaxFileIO = maxPooled

func (f *File) rw(code Op, buf []byte, off int64) executor.Future[executor.Result[int]] {
	if f.fd < 0 {
		return executor.Ready(executor.Result[int]{Err: ErrFileClosed})
	}
	return &fileIO{f: f, code: code, p: buf, off: off}
}

// fileIO is ReadAt and WriteAt through a pooled buffer the reactor owns.
// It is opFuture's state machine written out (no prep closure), since
// this is the path random-read benchmarks measure.
type fileIO struct {
	f       *File
	code    Op
	p       []byte
	off     int64
	owned   []byte // from the pool; back to it at the CQE (or the orphan's)
	idx     uint32
	started bool
	done    bool
}

func (io *fileIO) Poll(cx *executor.Context) executor.Poll[executor.Result[int]] {
	r := io.f.r
	if !io.started {
		n := min(len(io.p), MaxFileIO)
		owned := r.pool.get(n)
		if io.code == OpWrite {
			copy(owned, io.p[:n])
		}
		sqe, idx, err := r.prepare(cx, io.code)
		if err != nil {
			r.pool.put(owned)
			io.done = true
			return executor.PollReady(executor.Result[int]{Err: err})
		}
		var p unsafe.Pointer
		if n > 0 {
			// The pool's buffer, pinned until the CQE: the kernel writes
			// (or reads) it after this poll returns.
			r.ops[idx].pin.Pin(&owned[0])
			p = unsafe.Pointer(&owned[0])
		}
		if io.code == OpRead {
			sqe.PrepRead(io.f.fd, p, ioLen(n), uint64(io.off))
		} else {
			sqe.PrepWrite(io.f.fd, p, ioLen(n), uint64(io.off))
		}
		fixedFD(sqe, io.f.direct)
		r.ops[idx].fd = sqe.Fd
		r.traceSQE(sqe, cx.TaskID())
		io.owned, io.idx, io.started = owned, idx, true
		return executor.Pending[executor.Result[int]]()
	}
	o := &r.ops[io.idx]
	if o.failed {
		io.done = true // the ring failed: the buffer stays pinned, out of the pool
		return executor.PollReady(executor.Result[int]{Err: r.err})
	}
	if o.state != opDone {
		o.waker = cx.WakerFor(holders[io.code]) // a spurious wake: keep waiting
		return executor.Pending[executor.Result[int]]()
	}
	res := o.res
	r.release(io.idx)
	io.done = true
	if res < 0 {
		r.pool.put(io.owned)
		return executor.PollReady(executor.Result[int]{Err: unix.Errno(-res)})
	}
	if io.code == OpRead {
		copy(io.p, io.owned[:res])
	}
	r.pool.put(io.owned)
	return executor.PollReady(executor.Result[int]{Value: int(res)})
}

// Drop cancels the op; its buffer returns to the pool at its CQE.
func (io *fileIO) Drop() {
	if io.started && !io.done {
		io.done = true
		r, owned := io.f.r, io.owned
		r.cancel(io.idx, func(int32) { r.pool.put(owned) })
	}
}

// Sync flushes the file to stable storage with IORING_OP_FSYNC (5.1).
func (f *File) Sync() executor.Future[executor.Result[int]] {
	if f.fd < 0 {
		return executor.Ready(executor.Result[int]{Err: ErrFileClosed})
	}
	fd, direct := f.fd, f.direct
	op := &opFuture{r: f.r, code: OpFsync, prep: func(sqe *SQE, o *op) {
		sqe.PrepFsync(fd, false)
		fixedFD(sqe, direct)
	}}
	return mapResult(op, func(n int32) (int, error) { return int(n), nil }, nil)
}

// FileInfo is what Stat reports.
type FileInfo struct {
	Size    int64
	Mode    uint32 // the st_mode bits: type and permissions
	ModTime time.Time
}

// Stat returns the file's metadata with IORING_OP_STATX (5.6).
func (f *File) Stat() executor.Future[executor.Result[FileInfo]] {
	if f.fd < 0 {
		return executor.Ready(executor.Result[FileInfo]{Err: ErrFileClosed})
	}
	if f.direct {
		return executor.Ready(executor.Result[FileInfo]{Err: ErrDirectNoFd})
	}
	st := new(statBuf)
	empty := new(byte) // "" as a C string: with AT_EMPTY_PATH, stat fd itself
	fd := f.fd
	op := &opFuture{r: f.r, code: OpStatx, prep: func(sqe *SQE, o *op) {
		o.pin.Pin(st) // the kernel (or a fallback worker) writes it later
		o.keep = empty
		prepStat(sqe, fd, empty, st)
	}}
	return mapResult(op, func(int32) (FileInfo, error) { return fileInfo(st), nil }, nil)
}

// Close closes the file with IORING_OP_CLOSE (5.6). Operations started
// after Close fail with ErrFileClosed. The descriptor is closed whatever
// becomes of the future: dropped before its first poll (as in a deferred
// Await of a cancelled coroutine), it closes with a plain close(2).
func (f *File) Close() executor.Future[executor.Result[int]] {
	if f.fd < 0 {
		return executor.Ready(executor.Result[int]{Err: ErrFileClosed})
	}
	fd := f.fd
	f.fd = -1
	if f.direct {
		return f.r.closeDirect(fd) // IORING_OP_CLOSE of the slot
	}
	f.r.dropSlot(fd) // before the number can be reused
	return &closeFuture{r: f.r, fd: fd}
}

// Release implements executor.Releaser: an opened File that nobody will
// take (its task's handle was dropped or detached) is closed with a plain
// close(2). Not for a File in use.
func (f *File) Release() {
	if f.fd >= 0 && f.direct {
		f.r.releaseDirect(f.fd)
		f.fd = -1
	}
	if f.fd >= 0 {
		f.r.dropSlot(f.fd)
		unix.Close(f.fd)
		f.fd = -1
	}
}

// closeFuture is IORING_OP_CLOSE of fd, which it owns: if it is dropped
// before its first poll, or its CLOSE is cancelled before it ran, it
// closes fd itself.
type closeFuture struct {
	r  *Reactor
	fd int
	op *opFuture
}

func (c *closeFuture) Poll(cx *executor.Context) executor.Poll[executor.Result[int]] {
	if c.op == nil {
		fd := c.fd
		c.op = &opFuture{r: c.r, code: OpClose,
			prep: func(sqe *SQE, o *op) { sqe.PrepClose(fd) },
			orphaned: func(res int32) {
				if res == -int32(unix.ECANCELED) {
					unix.Close(fd) // the CLOSE never ran
				}
			}}
	}
	r, ok := c.op.Poll(cx).Value()
	if !ok {
		return executor.Pending[executor.Result[int]]()
	}
	if errors.Is(r.Err, ErrClosed) || (c.r.err != nil && errors.Is(r.Err, c.r.err)) {
		unix.Close(c.fd) // no ring to close it with: close it here
	}
	return executor.PollReady(executor.Result[int]{Value: int(r.Value), Err: r.Err})
}

// Drop closes the descriptor if the CLOSE never started.
func (c *closeFuture) Drop() {
	if c.op == nil {
		unix.Close(c.fd)
		c.op = &opFuture{done: true}
		return
	}
	c.op.Drop()
}

// MaxIO is the most bytes one READ, WRITE, RECV or SEND moves: Linux's
// MAX_RW_COUNT (INT_MAX rounded down to a page), which read(2) and
// write(2) clamp to as well. A longer buffer gets a short read or write.
const MaxIO = 0x7ffff000

// ioLen is the SQE length for a buffer of n bytes. The SQE's len is 32
// bits: without the clamp a 4 GiB buffer would wrap to 0 and a read of it
// would look like end of file.
func ioLen(n int) uint32 { return uint32(min(n, MaxIO)) }

// mapResult turns an op's raw result into a typed one.
func mapResult[T any](f executor.Future[executor.Result[int32]], ok func(int32) (T, error), wrap func(error) error) executor.Future[executor.Result[T]] {
	return &mapped[T]{f: f, ok: ok, wrap: wrap}
}

type mapped[T any] struct {
	f    executor.Future[executor.Result[int32]]
	ok   func(int32) (T, error)
	wrap func(error) error
}

func (m *mapped[T]) Poll(cx *executor.Context) executor.Poll[executor.Result[T]] {
	r, ready := m.f.Poll(cx).Value()
	if !ready {
		return executor.Pending[executor.Result[T]]()
	}
	if r.Err != nil {
		err := r.Err
		if m.wrap != nil {
			err = m.wrap(err)
		}
		return executor.PollReady(executor.Result[T]{Err: err})
	}
	v, err := m.ok(r.Value)
	return executor.PollReady(executor.Result[T]{Value: v, Err: err})
}

// Drop passes the drop on to the op.
func (m *mapped[T]) Drop() {
	if d, ok := m.f.(executor.Dropper); ok {
		d.Drop()
	}
}
