//go:build linux || darwin

package iouring

import (
	"errors"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The fallback ring's emulation of registered files and buffers, so the
// reactor's fixed paths (fixed_linux.go) run, and are tested, on it too.
// It saves nothing — a worker makes the same pread(2) — but it answers as
// the kernel does:
//
//	IOSQE_FIXED_FILE    Fd is a slot; an empty or out-of-range slot is
//	                    -EBADF. A slot holds a dup(2) of the descriptor,
//	                    as the kernel holds its own file reference: the
//	                    caller may close its descriptor.
//	READ_/WRITE_FIXED   BufIndex must name a registered buffer and
//	                    [Addr, Addr+Len) lie inside it, or -EFAULT; then
//	                    it is READ / WRITE.

// fbFixed is the fallback's registered tables. Guarded by FallbackRing.mu
// (workers release slot references).
type fbFixed struct {
	files      []*fbFile // nil: no table; nil entry: an empty slot
	registered bool
	bufs       [][2]uintptr // [start, end) of each registered buffer
}

// fbFile is a slot's descriptor and the ops using it. A slot emptied or
// replaced while ops use it closes its dup when the last one ends.
type fbFile struct {
	fd      int
	refs    int
	retired bool
}

func (f *FallbackRing) registerBufferRanges(bufs [][]byte) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fixed.bufs != nil {
		return unix.EBUSY // the kernel's answer to a second registration
	}
	f.fixed.bufs = make([][2]uintptr, len(bufs))
	for i, b := range bufs {
		start := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
		f.fixed.bufs[i] = [2]uintptr{start, start + uintptr(len(b))}
	}
	return nil
}

// RegisterFiles emulates IORING_REGISTER_FILES with a sparse table.
func (f *FallbackRing) RegisterFiles(n uint32) error {
	if n == 0 {
		return errors.New("iouring: RegisterFiles(0): want at least one slot")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fixed.registered {
		return unix.EBUSY
	}
	f.fixed.files, f.fixed.registered = make([]*fbFile, n), true
	return nil
}

// UpdateFiles emulates IORING_REGISTER_FILES_UPDATE: each slot from slot
// on gets a dup of fds[i], or is emptied by -1.
func (f *FallbackRing) UpdateFiles(slot uint32, fds []int32) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.fixed.registered {
		return unix.ENXIO // no table registered
	}
	if uint64(slot)+uint64(len(fds)) > uint64(len(f.fixed.files)) {
		return unix.EINVAL
	}
	for i, fd := range fds {
		var nf *fbFile
		if fd >= 0 {
			d, err := unix.Dup(int(fd))
			if err != nil {
				return err
			}
			nf = &fbFile{fd: d}
		}
		s := slot + uint32(i)
		f.fixed.files[s].release()
		f.fixed.files[s] = nf
	}
	return nil
}

// release retires the slot's file: closed now, or when its last op ends.
func (ff *fbFile) release() {
	if ff == nil {
		return
	}
	ff.retired = true
	if ff.refs == 0 {
		unix.Close(ff.fd)
	}
}

// resolveFixed turns a fixed SQE into the plain one a worker performs,
// taking a reference on the slot's file (undone by unhold). res != 0 is
// the CQE's result when the SQE is refused.
func (f *FallbackRing) resolveFixed(s *SQE) (hold *fbFile, res int32) {
	code := Op(s.Opcode)
	if s.Flags&SQEFixedFile == 0 && code != OpReadFixed && code != OpWriteFixed {
		return nil, 0
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if code == OpReadFixed || code == OpWriteFixed {
		if int(s.BufIndex) >= len(f.fixed.bufs) {
			return nil, -int32(unix.EFAULT)
		}
		b := f.fixed.bufs[s.BufIndex]
		if uintptr(s.Addr) < b[0] || uintptr(s.Addr)+uintptr(s.Len) > b[1] {
			return nil, -int32(unix.EFAULT)
		}
		s.Opcode = uint8(plainOf(code))
	}
	if s.Flags&SQEFixedFile != 0 {
		if s.Fd < 0 || int(s.Fd) >= len(f.fixed.files) || f.fixed.files[s.Fd] == nil {
			return nil, -int32(unix.EBADF)
		}
		hold = f.fixed.files[s.Fd]
		hold.refs++
		s.Fd, s.Flags = int32(hold.fd), s.Flags&^SQEFixedFile
	}
	return hold, 0
}

// unhold drops an op's reference on its slot's file.
func (f *FallbackRing) unhold(ff *fbFile) {
	if ff == nil {
		return
	}
	f.mu.Lock()
	ff.refs--
	if ff.refs == 0 && ff.retired {
		unix.Close(ff.fd)
	}
	f.mu.Unlock()
}

// closeFixed closes every slot's dup once the workers are done.
func (f *FallbackRing) closeFixed() {
	f.mu.Lock()
	for i, ff := range f.fixed.files {
		ff.release()
		f.fixed.files[i] = nil
	}
	f.mu.Unlock()
}

// plainOf is the plain opcode of READ_FIXED or WRITE_FIXED.
func plainOf(code Op) Op {
	if code == OpReadFixed {
		return OpRead
	}
	return OpWrite
}

// # Direct descriptors on the fallback
//
// OPENAT or ACCEPT with file_index (5.15) is performed with a descriptor
// of the fallback's own (close-on-exec), which then goes into the slot
// instead of being returned: res is 0, as the kernel's. CLOSE with
// file_index empties the slot. The answers are the kernel's: O_CLOEXEC or
// SOCK_CLOEXEC with file_index is -EINVAL, no table -ENXIO, a slot out of
// range -EINVAL, CLOSE of an empty slot -EBADF. With
// IORING_FILE_INDEX_ALLOC the lowest free slot is taken and res names it
// (-ENFILE when none is free).

// directSQE checks and performs what a direct-descriptor SQE needs before
// a worker runs it: ok reports that res is its CQE already (a refusal, or
// a CLOSE of a slot, done here: it never blocks).
func (f *FallbackRing) directSQE(s *SQE) (res int32, ok bool) {
	if s.FileIndex == 0 {
		return 0, false
	}
	code := Op(s.Opcode)
	switch code {
	case OpOpenat:
		if s.OpFlags&unix.O_CLOEXEC != 0 {
			return -int32(unix.EINVAL), true
		}
		s.OpFlags |= unix.O_CLOEXEC // the fallback's own descriptor
	case OpAccept:
		if acceptFlags != 0 && s.OpFlags&acceptFlags != 0 { // acceptFlags: SOCK_CLOEXEC on Linux
			return -int32(unix.EINVAL), true
		}
		s.OpFlags |= acceptFlags
	case OpClose:
	default:
		return 0, false
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	slot := uint32(s.FileIndex) - 1
	switch {
	case !f.fixed.registered:
		return -int32(unix.ENXIO), true
	case s.FileIndex == fileIndexAlloc && code != OpClose:
		return 0, false // installDirect picks the slot
	case uint64(slot) >= uint64(len(f.fixed.files)):
		return -int32(unix.EINVAL), true
	case code != OpClose:
		return 0, false // a worker opens or accepts, installDirect installs
	case f.fixed.files[slot] == nil:
		return -int32(unix.EBADF), true
	}
	f.fixed.files[slot].release()
	f.fixed.files[slot] = nil
	return 0, true
}

// installDirect puts the descriptor a direct OPENAT or ACCEPT produced
// into its slot (replacing what the slot held, as the kernel does) and
// returns the CQE's res: 0, or the op's error.
func (f *FallbackRing) installDirect(s *SQE, res int32) int32 {
	if s.FileIndex == 0 || res < 0 || (Op(s.Opcode) != OpOpenat && Op(s.Opcode) != OpAccept) {
		return res
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	slot := uint32(s.FileIndex) - 1
	if s.FileIndex == fileIndexAlloc {
		// IORING_FILE_INDEX_ALLOC: the lowest free slot, and res says
		// which (the fallback has no IORING_REGISTER_FILE_ALLOC_RANGE:
		// the whole table is the range, as the kernel's default).
		slot = uint32(len(f.fixed.files))
		for i, ff := range f.fixed.files {
			if ff == nil {
				slot = uint32(i)
				break
			}
		}
		if slot == uint32(len(f.fixed.files)) {
			unix.Close(int(res))
			return -int32(unix.ENFILE) // the kernel's answer to a full table
		}
	}
	if !f.fixed.registered || uint64(slot) >= uint64(len(f.fixed.files)) {
		unix.Close(int(res)) // unregistered meanwhile: cannot happen with the reactor
		return -int32(unix.ENXIO)
	}
	f.fixed.files[slot].release()
	f.fixed.files[slot] = &fbFile{fd: int(res)}
	if s.FileIndex == fileIndexAlloc {
		return int32(slot)
	}
	return 0
}
