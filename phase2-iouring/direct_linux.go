//go:build linux

package iouring

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unsafe"

	executor "asyncworkbook/phase1-executor"
	"golang.org/x/sys/unix"
)

// # Direct descriptors
//
// OpenDirect and TCPListener.AcceptDirect open a file or accept a
// connection straight into one of the reactor's registered-file slots
// (EnableFixed): IORING_OP_OPENAT / IORING_OP_ACCEPT with file_index
// (5.15). The result is a File or TCPStream with no descriptor at all —
// Fd returns -1, Slot the slot — whose every op names the slot with
// IOSQE_FIXED_FILE, and whose Close is IORING_OP_CLOSE with file_index.
// Compared with a descriptor registered afterwards (File.ReadAtFixed's
// UpdateFiles), it saves the descriptor-table install, the
// IORING_REGISTER_FILES_UPDATE system call and the close(2) of the
// descriptor; compared with a plain descriptor, it also saves the file
// lookup and reference count of every op.
//
// The reactor chooses the slot (from the same free list slotOf uses), so
// its bookkeeping and the kernel's table agree; it does not use
// IORING_FILE_INDEX_ALLOC (5.19), which lets the kernel pick a slot the
// reactor may be about to fill with UpdateFiles.
//
// A slot is taken at the first poll and is back on the free list when:
// the OPENAT or ACCEPT fails; its future was dropped and the op's CQE
// comes (the file installed anyway is removed from the slot); the CLOSE
// completes; or the File or TCPStream is Released. Where direct
// descriptors cannot be had — no slot table, a kernel before 5.15, every
// slot taken — OpenDirect is Open and AcceptDirect is Accept, and
// DirectStatus says why.

// directState counts the direct descriptors. Executor goroutine only.
type directState struct {
	inUse map[uint32]bool // slots holding (or about to hold) a direct descriptor
	// allocOps are the op slots of multishot ACCEPTs whose CQEs name a
	// slot the kernel allocated.
	allocOps map[uint32]bool
	why      string // why direct descriptors are off, "" when on
	plain    uint64 // OpenDirect / AcceptDirect calls that fell back
	direct   uint64 // direct opens and accepts that completed

	// The kernel's allocation range (multishot ACCEPT into slots):
	// [allocLo, allocLo+allocLen), not on the reactor's free list.
	allocLo, allocLen uint32
}

// DirectStatus describes the direct descriptors, for the workbook and the
// visualiser.
type DirectStatus struct {
	InUse    int    // slots holding a direct descriptor now
	Opened   uint64 // direct OPENATs and ACCEPTs that succeeded
	Fallback uint64 // calls that fell back to a descriptor
	// KernelFrom and KernelSlots are the range of slots the kernel
	// allocates from for multishot ACCEPTs (KernelSlots 0: none).
	KernelFrom, KernelSlots uint32
	Why                     string // why direct descriptors are off ("" when on)
}

func (s DirectStatus) String() string {
	out := fmt.Sprintf("direct descriptors: %d in slots, %d opened, %d fell back to descriptors", s.InUse, s.Opened, s.Fallback)
	if s.KernelSlots > 0 {
		out += fmt.Sprintf("; the kernel allocates slots %d–%d", s.KernelFrom, s.KernelFrom+s.KernelSlots-1)
	}
	if s.Why != "" {
		out += " (" + s.Why + ")"
	}
	return out
}

// DirectStatus reports the direct descriptors.
func (r *Reactor) DirectStatus() DirectStatus {
	d := r.directs()
	return DirectStatus{InUse: len(d.inUse), Opened: d.direct, Fallback: d.plain,
		KernelFrom: d.allocLo, KernelSlots: d.allocLen, Why: r.directWhy()}
}

// directs returns the reactor's direct-descriptor state, creating it.
func (r *Reactor) directs() *directState {
	if r.fixed == nil {
		r.fixed = &fixedState{slots: map[int]uint32{}, why: "EnableFixed not called"}
	}
	if r.fixed.direct == nil {
		r.fixed.direct = &directState{inUse: map[uint32]bool{}, allocOps: map[uint32]bool{}}
	}
	return r.fixed.direct
}

// directWhy says why a direct descriptor cannot be had now ("" if it can).
func (r *Reactor) directWhy() string {
	fx := r.fixed
	switch {
	case fx == nil || fx.nslots == 0:
		return "no registered-file table (EnableFixed with slots)"
	case !kernelHasDirect(r.ring):
		return "kernel before 5.15: OPENAT/ACCEPT cannot install into a slot"
	case len(fx.freeSlot) == 0:
		return fmt.Sprintf("all %d registered-file slots taken", fx.nslots)
	}
	return ""
}

// takeDirectSlot reserves a free slot for a direct descriptor, or says
// why there is none (and counts the fallback).
func (r *Reactor) takeDirectSlot() (uint32, bool) {
	d := r.directs()
	if why := r.directWhy(); why != "" {
		d.why = why
		d.plain++
		return 0, false
	}
	fx := r.fixed
	n := len(fx.freeSlot)
	s := fx.freeSlot[n-1]
	fx.freeSlot = fx.freeSlot[:n-1]
	d.inUse[s] = true
	return s, true
}

// putDirectSlot returns an empty slot to the free list.
func (r *Reactor) putDirectSlot(s uint32) {
	d := r.directs()
	if !d.inUse[s] {
		return // returned already: a slot is never on the free list twice
	}
	delete(d.inUse, s)
	if d.kernelSlot(s) {
		return // the kernel's to allocate again: emptying it told the kernel
	}
	r.fixed.freeSlot = append(r.fixed.freeSlot, s)
}

// emptyDirectSlot removes whatever file the kernel installed in slot s
// (IORING_REGISTER_FILES_UPDATE with -1: the ring drops its reference, the
// last one of a direct descriptor, so the file closes) and frees the slot.
// A closed reactor's table is gone with its ring.
func (r *Reactor) emptyDirectSlot(s uint32) {
	if r.closed {
		return
	}
	if err := r.ring.(fixedRings).UpdateFiles(s, []int32{-1}); err != nil {
		r.fixed.why = err.Error() // the slot is lost: better than reused while full
		delete(r.directs().inUse, s)
		return
	}
	r.putDirectSlot(s)
	r.traceSlots(-1, fmt.Sprintf("slot %d emptied (a direct descriptor nobody will close)", s))
}

// kernelHasDirect reports whether q installs into slots: the fallback
// emulates it; io_uring since 5.15.
func kernelHasDirect(q Rings) bool {
	if _, ok := q.(*FallbackRing); ok {
		return true
	}
	return kernelAtLeast(5, 15)
}

// kernelAtLeast compares uname(2)'s release with major.minor. No opcode
// says whether OPENAT and ACCEPT read file_index: the version does.
func kernelAtLeast(major, minor int) bool {
	var u unix.Utsname
	if unix.Uname(&u) != nil {
		return false
	}
	rel := unix.ByteSliceToString(u.Release[:])
	parts := strings.SplitN(rel, ".", 3)
	if len(parts) < 2 {
		return false
	}
	ma, err1 := strconv.Atoi(parts[0])
	mi, err2 := strconv.Atoi(strings.TrimLeftFunc(parts[1], func(r rune) bool { return r < '0' || r > '9' }))
	if err1 != nil || err2 != nil {
		return false
	}
	return ma > major || (ma == major && mi >= minor)
}

// Slot returns the registered-file slot of a direct descriptor, and false
// for a File with a descriptor.
func (f *File) Slot() (uint32, bool) { return uint32(f.fd), f.direct && f.fd >= 0 }

// Slot returns the registered-file slot of a direct descriptor, and false
// for a stream with a descriptor.
func (s *TCPStream) Slot() (uint32, bool) { return uint32(s.fd), s.direct && s.fd >= 0 }

// OpenDirect opens path into a registered-file slot: IORING_OP_OPENAT with
// file_index (5.15). The File has no descriptor (Fd is -1): its ReadAt,
// WriteAt, ReadAtFixed, Sync and Close name the slot. Where direct
// descriptors are off (DirectStatus says why) it is Open. flags are as for
// Open; O_CLOEXEC is implied (no descriptor exists to inherit).
func OpenDirect(r *Reactor, path string, flags int, mode uint32) executor.Future[executor.Result[*File]] {
	p, err := unix.BytePtrFromString(path)
	if err != nil {
		return executor.Ready(executor.Result[*File]{Err: fmt.Errorf("iouring: open %q: %w", path, err)})
	}
	return &lazy[*File]{make: func() executor.Future[executor.Result[*File]] {
		slot, ok := r.takeDirectSlot()
		if !ok {
			return Open(r, path, flags, mode)
		}
		op := &opFuture{r: r, code: OpOpenat,
			prep: func(sqe *SQE, o *op) {
				sqe.PrepOpenatDirect(unix.AT_FDCWD, p, flags&^unix.O_CLOEXEC, mode, slot)
				o.keep = p
			},
			orphaned: r.orphanedDirect(slot),
		}
		return mapResult(op, func(int32) (*File, error) {
			r.directs().direct++
			return &File{r: r, fd: int(slot), name: path, direct: true}, nil
		}, func(err error) error {
			r.failedDirect(slot, err)
			return &PathError{Op: "open", Path: path, Err: err}
		})
	}}
}

// AcceptDirect accepts a connection into a registered-file slot:
// IORING_OP_ACCEPT with file_index (5.15). The stream has no descriptor:
// its Read, Write and Close name the slot. Dropped after the kernel
// accepted, the connection is closed and the slot freed. Where direct
// descriptors are off (DirectStatus says why) it is Accept.
func (l *TCPListener) AcceptDirect() executor.Future[executor.Result[*TCPStream]] {
	if l.fd < 0 {
		return executor.Ready(executor.Result[*TCPStream]{Err: ErrFileClosed})
	}
	if f := l.multishotAcceptDirect(); f != nil {
		return f // EnableMultishot: the listener's multishot ACCEPT
	}
	r := l.r
	return &lazy[*TCPStream]{make: func() executor.Future[executor.Result[*TCPStream]] {
		slot, ok := r.takeDirectSlot()
		if !ok {
			return l.Accept()
		}
		raw := new(unix.RawSockaddrAny)
		rawLen := new(uint32)
		*rawLen = uint32(unsafe.Sizeof(*raw))
		fd := l.fd
		op := &opFuture{r: r, code: OpAccept,
			prep: func(sqe *SQE, o *op) {
				// The kernel writes the peer's address and length when the
				// connection arrives: both pinned until the CQE.
				o.pin.Pin(raw)
				o.pin.Pin(rawLen)
				sqe.PrepAcceptDirect(fd, unsafe.Pointer(raw), rawLen, acceptFlags&^unix.SOCK_CLOEXEC, slot)
			},
			orphaned: r.orphanedDirect(slot),
		}
		return mapResult(op, func(int32) (*TCPStream, error) {
			r.directs().direct++
			return &TCPStream{r: r, fd: int(slot), remote: rawAddrPort(raw), direct: true}, nil
		}, func(err error) error {
			r.failedDirect(slot, err)
			return fmt.Errorf("iouring: accept on %s: %w", l.addr, err)
		})
	}}
}

// orphanedDirect handles the CQE of a direct OPENAT or ACCEPT whose future
// was dropped: a file installed anyway is removed from the slot.
func (r *Reactor) orphanedDirect(slot uint32) func(int32) {
	return func(res int32) {
		if res >= 0 {
			r.emptyDirectSlot(slot)
			return
		}
		r.putDirectSlot(slot)
	}
}

// failedDirect frees the slot of a direct OPENAT or ACCEPT that failed —
// unless the ring failed, when the kernel may still install into it.
func (r *Reactor) failedDirect(slot uint32, err error) {
	if r.ringFailed(err) {
		return
	}
	if errors.Is(err, ErrClosed) {
		return // never submitted; the table goes with the ring
	}
	r.putDirectSlot(slot)
}

// directClose is IORING_OP_CLOSE of a direct descriptor's slot (5.15). It
// owns the slot: dropped before its first poll, or cancelled before the
// CLOSE ran, it empties the slot itself.
type directClose struct {
	r    *Reactor
	slot uint32
	op   *opFuture
}

func (c *directClose) Poll(cx *executor.Context) executor.Poll[executor.Result[int]] {
	if c.op == nil {
		r, slot := c.r, c.slot
		c.op = &opFuture{r: r, code: OpClose,
			prep: func(sqe *SQE, o *op) { sqe.PrepCloseDirect(slot) },
			orphaned: func(res int32) {
				if res == -int32(unix.ECANCELED) {
					r.emptyDirectSlot(slot) // the CLOSE never ran
					return
				}
				r.putDirectSlot(slot)
			}}
	}
	res, ok := c.op.Poll(cx).Value()
	if !ok {
		return executor.Pending[executor.Result[int]]()
	}
	switch {
	case c.r.ringFailed(res.Err):
		// The ring failed: nothing more can be done with its table.
	case errors.Is(res.Err, ErrClosed):
	default:
		// Whatever CLOSE said (an -EBADF would mean an empty slot), the
		// slot is empty now.
		c.r.putDirectSlot(c.slot)
	}
	return executor.PollReady(executor.Result[int]{Value: int(res.Value), Err: res.Err})
}

// Drop empties the slot if the CLOSE never started.
func (c *directClose) Drop() {
	if c.op == nil {
		c.r.emptyDirectSlot(c.slot)
		c.op = &opFuture{done: true}
		return
	}
	c.op.Drop()
}

// lazy builds its future at the first poll, so an unpolled one, dropped,
// holds nothing (no slot is taken).
type lazy[T any] struct {
	make func() executor.Future[executor.Result[T]]
	f    executor.Future[executor.Result[T]]
}

func (z *lazy[T]) Poll(cx *executor.Context) executor.Poll[executor.Result[T]] {
	if z.f == nil {
		z.f = z.make()
	}
	return z.f.Poll(cx)
}

// Drop passes the drop on, if the future was built.
func (z *lazy[T]) Drop() {
	if d, ok := z.f.(executor.Dropper); ok {
		d.Drop()
	}
}

// closeDirect is Close of a direct descriptor in slot.
func (r *Reactor) closeDirect(slot int) executor.Future[executor.Result[int]] {
	return &directClose{r: r, slot: uint32(slot)}
}

// releaseDirect is Release of a direct descriptor: its slot is emptied at
// once (the file closes with the ring's last reference to it).
func (r *Reactor) releaseDirect(slot int) { r.emptyDirectSlot(uint32(slot)) }

// pollFirstOK: IORING_RECVSEND_POLL_FIRST needs 5.19; the fallback
// ignores it (its workers always poll first).
func pollFirstOK(r *Reactor) bool {
	if _, ok := r.ring.(*FallbackRing); ok {
		return true
	}
	return kernelAtLeast(5, 19)
}

// registerFileAllocRange is IORING_REGISTER_FILE_ALLOC_RANGE (6.0).
const registerFileAllocRange = 25

// fileIndexRange is struct io_uring_file_index_range.
type fileIndexRange struct {
	Off, Len uint32
	_        uint64
}

var _ = [1]struct{}{}[unsafe.Sizeof(fileIndexRange{})-16]

// allocRange gives the kernel a range of slots to allocate from (for a
// multishot ACCEPT into slots), once: the upper half of the table, taken
// out of the reactor's free list, so the kernel's picks and the
// reactor's never meet. It reports whether the kernel has the range; if
// not, DirectStatus says why.
func (r *Reactor) allocRange() bool {
	d := r.directs()
	if d.allocLen > 0 {
		return true
	}
	if why := r.directWhy(); why != "" {
		d.why = why
		return false
	}
	u, ok := r.ring.(*uringRings)
	if !ok || !kernelAtLeast(6, 0) {
		d.why = "multishot ACCEPT into slots needs IORING_REGISTER_FILE_ALLOC_RANGE (6.0): single-shot direct ACCEPTs instead"
		return false
	}
	fx := r.fixed
	lo, n := fx.nslots/2, fx.nslots-fx.nslots/2
	free := map[uint32]bool{}
	for _, s := range fx.freeSlot {
		free[s] = true
	}
	for s := lo; s < fx.nslots; s++ {
		if !free[s] {
			d.why = fmt.Sprintf("slot %d is in use: the upper half of the table cannot be given to the kernel", s)
			return false
		}
	}
	rg := fileIndexRange{Off: lo, Len: n}
	// The kernel reads rg during the call only.
	if err := u.register(registerFileAllocRange, unsafe.Pointer(&rg), 0); err != nil {
		d.why = "IORING_REGISTER_FILE_ALLOC_RANGE: " + err.Error()
		return false
	}
	kept := fx.freeSlot[:0]
	for _, s := range fx.freeSlot {
		if s < lo {
			kept = append(kept, s)
		}
	}
	fx.freeSlot = kept
	d.allocLo, d.allocLen = lo, n
	return true
}

// kernelSlot reports whether slot s is in the kernel's allocation range:
// freed by the kernel when emptied, never put on the reactor's list.
func (d *directState) kernelSlot(s uint32) bool {
	return d.allocLen > 0 && s >= d.allocLo && s < d.allocLo+d.allocLen
}

// slotsUsed is how many slots hold a file (or are reserved for one): the
// reactor's taken slots, less the kernel's range, plus the kernel's
// slots that hold a connection.
func (r *Reactor) slotsUsed() uint32 {
	fx := r.fixed
	used := fx.nslots - uint32(len(fx.freeSlot))
	if d := fx.direct; d != nil && d.allocLen > 0 {
		used -= d.allocLen
		for s := range d.inUse {
			if d.kernelSlot(s) {
				used++
			}
		}
	}
	return used
}

// allocated notes the slot a CQE of a direct multishot ACCEPT (op slot
// idx) names as holding a connection, and forgets the op at its last
// CQE. It reports whether the op is one.
func (r *Reactor) allocated(idx uint32, c CQE) bool {
	if r.fixed == nil || r.fixed.direct == nil || !r.fixed.direct.allocOps[idx] {
		return false
	}
	d := r.fixed.direct
	if c.Res >= 0 {
		d.inUse[uint32(c.Res)] = true
	}
	if !c.More() {
		delete(d.allocOps, idx)
	}
	return true
}
