//go:build linux

package iouring

import (
	"errors"
	"fmt"
	"os"
	"unsafe"

	"golang.org/x/sys/unix"
)

// io_uring_register(2) opcodes of the fast paths.
const (
	registerBuffers     = 0  // IORING_REGISTER_BUFFERS (5.1)
	unregisterBuffers   = 1  // IORING_UNREGISTER_BUFFERS (5.1)
	registerFiles       = 2  // IORING_REGISTER_FILES (5.1)
	unregisterFiles     = 3  // IORING_UNREGISTER_FILES (5.1)
	registerFilesUpdate = 6  // IORING_REGISTER_FILES_UPDATE (5.5)
	registerPbufRing    = 22 // IORING_REGISTER_PBUF_RING (5.19)
	unregisterPbufRing  = 23 // IORING_UNREGISTER_PBUF_RING (5.19)
)

// BufferPool is n buffers of size bytes each in one anonymous mapping
// outside the Go heap. The garbage collector never moves or frees that
// memory, so a buffer can stay in the kernel's hands for as long as an op
// needs it — also after the future that asked for it is gone — without
// runtime.Pinner, and the pool can be registered with a ring
// (IORING_REGISTER_BUFFERS) so READ_FIXED / WRITE_FIXED skip pinning and
// mapping the pages on every op.
//
// The pool only owns memory; who holds which buffer is the caller's
// bookkeeping (the reactor hands a buffer out and takes it back on its
// CQE). Not safe for concurrent use. The zero value is an empty pool that
// Close accepts.
type BufferPool struct {
	mem  []byte
	size int
	n    int
}

// NewBufferPool maps n buffers of size bytes (size is rounded up to a
// multiple of 64, so buffers never share a cache line).
func NewBufferPool(n, size int) (*BufferPool, error) {
	if n <= 0 || size <= 0 || n > 1<<16 {
		return nil, fmt.Errorf("iouring: buffer pool of %d × %d bytes: want 1..65536 buffers of a positive size", n, size)
	}
	size = (size + 63) &^ 63
	total := n * size
	total = (total + os.Getpagesize() - 1) &^ (os.Getpagesize() - 1)
	mem, err := unix.Mmap(-1, 0, total, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS|unix.MAP_POPULATE)
	if err != nil {
		return nil, fmt.Errorf("iouring: mmap %d bytes for a buffer pool: %w", total, err)
	}
	return &BufferPool{mem: mem, size: size, n: n}, nil
}

// Len returns the number of buffers.
func (p *BufferPool) Len() int { return p.n }

// Size returns the size of each buffer.
func (p *BufferPool) Size() int { return p.size }

// Buf returns buffer i. The slice aliases memory outside the Go heap; it
// is valid until Close.
func (p *BufferPool) Buf(i int) []byte {
	return p.mem[i*p.size : (i+1)*p.size : (i+1)*p.size]
}

// Close unmaps the pool. No op may still use a buffer (unregister the
// pool from every ring, after their ops' CQEs, first).
func (p *BufferPool) Close() error {
	if p.mem == nil {
		return nil
	}
	err := unix.Munmap(p.mem)
	p.mem = nil
	return err
}

// register is io_uring_register(2). Not a blocking call; Syscall6 (not
// Raw) all the same, as everywhere in this package.
func (r *Ring) register(opcode uintptr, arg unsafe.Pointer, nrArgs uint32) error {
	for {
		_, _, errno := unix.Syscall6(unix.SYS_IO_URING_REGISTER, uintptr(r.fd), opcode,
			uintptr(arg), uintptr(nrArgs), 0, 0)
		if errno == unix.EINTR {
			continue // a signal during registration: nothing was registered
		}
		if errno != 0 {
			return errno
		}
		return nil
	}
}

// RegisterBuffers registers every buffer of p with the ring:
// IORING_REGISTER_BUFFERS (5.1). Buffer i is then index i of READ_FIXED
// and WRITE_FIXED. The kernel pins the pages and charges them to
// RLIMIT_MEMLOCK (unless the process has CAP_IPC_LOCK); a limit too low is
// reported with the figures needed to raise it.
func (r *Ring) RegisterBuffers(p *BufferPool) error {
	iov := make([]unix.Iovec, p.n)
	for i := range iov {
		b := p.Buf(i)
		iov[i].Base = &b[0]
		iov[i].SetLen(len(b))
	}
	// The kernel reads the iovec array during the call only.
	err := r.register(registerBuffers, unsafe.Pointer(&iov[0]), uint32(len(iov)))
	if err == nil {
		return nil
	}
	if errors.Is(err, unix.ENOMEM) {
		var lim unix.Rlimit
		_ = unix.Getrlimit(unix.RLIMIT_MEMLOCK, &lim)
		return &MemlockError{Need: uint64(p.n * p.size), Limit: lim.Cur}
	}
	return fmt.Errorf("iouring: IORING_REGISTER_BUFFERS (%d × %d bytes): %w", p.n, p.size, err)
}

// UnregisterBuffers drops the ring's registered buffers:
// IORING_UNREGISTER_BUFFERS (5.1). No fixed op may be in flight.
func (r *Ring) UnregisterBuffers() error {
	if err := r.register(unregisterBuffers, nil, 0); err != nil {
		return fmt.Errorf("iouring: IORING_UNREGISTER_BUFFERS: %w", err)
	}
	return nil
}

// MemlockError says that registering buffers needs more locked memory
// than RLIMIT_MEMLOCK allows, and how much.
type MemlockError struct {
	Need  uint64 // bytes the registration pins
	Limit uint64 // the soft RLIMIT_MEMLOCK now (unix.RLIM_INFINITY: none)
}

func (e *MemlockError) Error() string {
	return fmt.Sprintf("iouring: registering %d KiB of buffers needs more locked memory than RLIMIT_MEMLOCK allows (%d KiB now); raise it (ulimit -l, or LimitMEMLOCK= in a systemd unit, or --ulimit memlock= for a container), or use fewer or smaller buffers",
		e.Need>>10, e.Limit>>10)
}

// Unwrap returns ENOMEM, the kernel's answer.
func (e *MemlockError) Unwrap() error { return unix.ENOMEM }

// RegisterFiles gives the ring a table of n registered-file slots, all
// empty: IORING_REGISTER_FILES (5.1) with -1 in every slot (a sparse
// table). Fill slots with UpdateFiles; an SQE with SQEFixedFile then names
// a slot instead of a descriptor, and the kernel skips looking up the
// descriptor and counting references to its file on every op.
func (r *Ring) RegisterFiles(n uint32) error {
	if n == 0 {
		return errors.New("iouring: RegisterFiles(0): want at least one slot")
	}
	fds := make([]int32, n)
	for i := range fds {
		fds[i] = -1
	}
	if err := r.register(registerFiles, unsafe.Pointer(&fds[0]), n); err != nil {
		return fmt.Errorf("iouring: IORING_REGISTER_FILES (%d slots): %w", n, err)
	}
	return nil
}

// filesUpdate is struct io_uring_files_update.
type filesUpdate struct {
	Offset uint32
	_      uint32
	Fds    uint64 // address of an array of int32 descriptors (-1: empty the slot)
}

var _ = [1]struct{}{}[unsafe.Sizeof(filesUpdate{})-16]

// UpdateFiles puts fds into the registered-file slots from slot on (-1
// empties a slot): IORING_REGISTER_FILES_UPDATE (5.5). The ring takes its
// own reference to each file: the caller may close its descriptor and the
// slot keeps working until it is emptied.
func (r *Ring) UpdateFiles(slot uint32, fds []int32) error {
	if len(fds) == 0 {
		return nil
	}
	u := filesUpdate{Offset: slot, Fds: uint64(uintptr(unsafe.Pointer(&fds[0])))}
	// The kernel reads u and fds during the call only; both are live
	// here, so nothing needs pinning.
	err := r.register(registerFilesUpdate, unsafe.Pointer(&u), uint32(len(fds)))
	if err != nil {
		return fmt.Errorf("iouring: IORING_REGISTER_FILES_UPDATE (slot %d, %d fds): %w", slot, len(fds), err)
	}
	return nil
}

// UnregisterFiles drops the registered-file table:
// IORING_UNREGISTER_FILES (5.1).
func (r *Ring) UnregisterFiles() error {
	if err := r.register(unregisterFiles, nil, 0); err != nil {
		return fmt.Errorf("iouring: IORING_UNREGISTER_FILES: %w", err)
	}
	return nil
}
