//go:build linux

package iouring

import (
	"errors"
	"fmt"
	"unsafe"

	executor "asyncworkbook/phase1-executor"
	"asyncworkbook/phases/trace"
	"golang.org/x/sys/unix"
)

// Registered files and buffers in the reactor (issue 10).
//
// EnableFixed gives the reactor a BufferPool outside the Go heap,
// registered with the ring (IORING_REGISTER_BUFFERS), and a sparse table
// of registered-file slots (IORING_REGISTER_FILES). File.ReadAtFixed and
// WriteAtFixed then go through both: the SQE names a slot instead of a
// descriptor (IOSQE_FIXED_FILE) and a registered buffer by index
// (READ_FIXED / WRITE_FIXED). Per op the kernel then skips looking the
// descriptor up and counting references to its file, and pinning and
// mapping the buffer's pages; the reactor skips runtime.Pinner, since the
// collector never moves or frees mmap'd memory.
//
// Either part can be missing: a kernel without READ_FIXED, a
// RLIMIT_MEMLOCK too low (MemlockError), a full slot table, every buffer
// busy, a read larger than a buffer. The op then takes the plain path
// (ReadAt / WriteAt), and FixedStatus says why.

// fixedRings is what a ring needs for the fixed paths: the kernel's Ring
// (uringRings) and the fallback's emulation (fallback_fixed_linux.go).
type fixedRings interface {
	RegisterBuffers(p *BufferPool) error
	RegisterFiles(n uint32) error
	UpdateFiles(slot uint32, fds []int32) error
}

// fixedState is the reactor's registered buffers and file slots.
// Executor goroutine only.
type fixedState struct {
	pool     *BufferPool // registered with the ring; nil when buffers are off
	freeBufs []uint16    // pool buffers no op holds
	lentGen  []uint32    // per buffer, bumped at each Release of a lend (lend_linux.go)
	nslots   uint32      // registered-file slots; 0 when files are off
	freeSlot []uint32    // slots holding no file
	slots    map[int]uint32
	direct   *directState // direct descriptors (direct_linux.go), or nil
	enabled  bool         // EnableFixed ran (DirectStatus may create the state first)
	why      string       // why a part is off ("" when all is on)
}

// FixedStatus describes the reactor's registered buffers and files, for
// the workbook and the visualiser.
type FixedStatus struct {
	Buffers, BufSize int    // registered buffers and their size (0: off)
	BufsInUse        int    // buffers held by ops in flight
	Slots            uint32 // registered-file slots (0: off)
	SlotsInUse       uint32 // slots holding a file
	Why              string // why a part is off, "" when both are on
}

// FixedStatus reports the registered buffers and files.
func (r *Reactor) FixedStatus() FixedStatus {
	fx := r.fixed
	if fx == nil || !fx.enabled {
		return FixedStatus{Why: "EnableFixed not called"}
	}
	s := FixedStatus{Slots: fx.nslots, Why: fx.why}
	if fx.pool != nil {
		s.Buffers, s.BufSize = fx.pool.Len(), fx.pool.Size()
		s.BufsInUse = fx.pool.Len() - len(fx.freeBufs)
	}
	if fx.nslots > 0 {
		s.SlotsInUse = r.slotsUsed()
	}
	return s
}

// EnableFixed registers bufs buffers of size bytes (one mmap'd pool) and
// a table of slots registered-file slots with the ring. Call it once,
// before the executor runs ops. A part the ring cannot have is left off
// and the error says why (a *MemlockError when RLIMIT_MEMLOCK is too
// low): the reactor works on, with the fixed calls taking the plain path.
func (r *Reactor) EnableFixed(bufs, size int, slots uint32) error {
	if r.closed {
		return ErrClosed
	}
	if r.fixed != nil && r.fixed.enabled {
		return errors.New("iouring: EnableFixed called twice")
	}
	fx := &fixedState{slots: map[int]uint32{}, enabled: true}
	if r.fixed != nil {
		fx.direct = r.fixed.direct // what DirectStatus counted before
	}
	r.fixed = fx
	fr, ok := r.ring.(fixedRings)
	if !ok {
		fx.why = r.ring.Kind() + " ring has no registered buffers or files"
		return errors.New("iouring: " + fx.why)
	}
	var errs []error
	if err := r.probe.Require(OpReadFixed, OpWriteFixed); err != nil {
		errs = append(errs, err)
	} else if bufs > 0 {
		p, err := NewBufferPool(bufs, size)
		if err == nil {
			if err = fr.RegisterBuffers(p); err != nil {
				p.Close()
			}
		}
		if err != nil {
			errs = append(errs, err)
		} else {
			fx.pool = p
			fx.freeBufs = make([]uint16, bufs)
			for i := range fx.freeBufs {
				fx.freeBufs[i] = uint16(bufs - 1 - i) // LIFO: buffer 0 first
			}
		}
	}
	if slots > 0 {
		if err := fr.RegisterFiles(slots); err != nil {
			errs = append(errs, err)
		} else {
			fx.nslots = slots
			fx.freeSlot = make([]uint32, slots)
			for i := range fx.freeSlot {
				fx.freeSlot[i] = slots - 1 - uint32(i)
			}
		}
	}
	err := errors.Join(errs...)
	if err != nil {
		fx.why = err.Error()
	}
	return err
}

// slotOf returns the registered-file slot holding fd, putting fd into a
// free slot (IORING_REGISTER_FILES_UPDATE) the first time. ok is false
// when files are off or every slot is taken.
func (r *Reactor) slotOf(fd int) (uint32, bool) {
	fx := r.fixed
	if fx == nil || fx.nslots == 0 {
		return 0, false
	}
	if s, ok := fx.slots[fd]; ok {
		return s, true
	}
	n := len(fx.freeSlot)
	if n == 0 {
		return 0, false
	}
	s := fx.freeSlot[n-1]
	if err := r.ring.(fixedRings).UpdateFiles(s, []int32{int32(fd)}); err != nil {
		fx.why = err.Error()
		return 0, false
	}
	fx.freeSlot = fx.freeSlot[:n-1]
	fx.slots[fd] = s
	r.traceSlots(int32(fd), fmt.Sprintf("slot %d ← fd %d (registered for fixed ops)", s, fd))
	return s, true
}

// dropSlot empties the slot holding fd, before fd is closed: its number
// may be reused by another file, which must not find the old one's slot.
// The ring holds its own reference to the file, so ops still in flight on
// the slot finish on the file they started on.
func (r *Reactor) dropSlot(fd int) {
	fx := r.fixed
	if fx == nil {
		return
	}
	s, ok := fx.slots[fd]
	if !ok {
		return
	}
	delete(fx.slots, fd)
	if err := r.ring.(fixedRings).UpdateFiles(s, []int32{-1}); err != nil {
		fx.why = err.Error() // the slot is lost: better than reused while full
		return
	}
	fx.freeSlot = append(fx.freeSlot, s)
	r.traceSlots(-1, fmt.Sprintf("slot %d emptied (fd %d closing)", s, fd))
}

// closeFixed unmaps the pool once the ring, and so its registration, is
// gone.
func (r *Reactor) closeFixed() {
	if r.fixed != nil && r.fixed.pool != nil {
		r.fixed.pool.Close()
		r.fixed.pool = nil
	}
}

// ReadAtFixed is ReadAt through the reactor's registered file slot and
// buffers: IORING_OP_READ_FIXED (5.1) with IOSQE_FIXED_FILE, into a
// registered buffer copied into buf at the CQE. Nothing is pinned per op.
// Where either is unavailable (see FixedStatus), or len(buf) is larger
// than a registered buffer, it is ReadAt.
func (f *File) ReadAtFixed(buf []byte, off int64) executor.Future[executor.Result[int]] {
	return f.rwFixed(OpReadFixed, buf, off)
}

// WriteAtFixed is WriteAt through the registered file slot and buffers:
// IORING_OP_WRITE_FIXED (5.1) from a registered buffer holding a copy of
// buf. Where either is unavailable it is WriteAt.
func (f *File) WriteAtFixed(buf []byte, off int64) executor.Future[executor.Result[int]] {
	return f.rwFixed(OpWriteFixed, buf, off)
}

func (f *File) rwFixed(code Op, buf []byte, off int64) executor.Future[executor.Result[int]] {
	if f.fd < 0 {
		return executor.Ready(executor.Result[int]{Err: ErrFileClosed})
	}
	fx := f.r.fixed
	if fx == nil || fx.pool == nil || len(buf) > fx.pool.Size() {
		return f.rw(plainOf(code), buf, off)
	}
	return &fixedIO{f: f, code: code, p: buf, off: off}
}

// fixedIO is one READ_FIXED or WRITE_FIXED. Like fileIO, the kernel only
// touches memory the reactor owns — here a registered buffer, taken at the
// first poll and given back at the CQE (the orphan's too).
type fixedIO struct {
	f       *File
	code    Op
	p       []byte
	off     int64
	buf     uint16 // the registered buffer
	idx     uint32
	plain   executor.Future[executor.Result[int]] // no buffer free at the first poll
	started bool
	done    bool
}

func (io *fixedIO) Poll(cx *executor.Context) executor.Poll[executor.Result[int]] {
	if io.plain != nil {
		return io.plain.Poll(cx)
	}
	r := io.f.r
	fx := r.fixed
	if !io.started {
		nb := len(fx.freeBufs)
		if nb == 0 {
			io.plain = io.f.rw(plainOf(io.code), io.p, io.off) // every buffer busy
			return io.plain.Poll(cx)
		}
		b := fx.freeBufs[nb-1]
		mem := fx.pool.Buf(int(b))[:len(io.p)]
		if io.code == OpWriteFixed {
			copy(mem, io.p)
		}
		sqe, idx, err := r.prepare(cx, io.code)
		if err != nil {
			io.done = true
			return executor.PollReady(executor.Result[int]{Err: err})
		}
		fx.freeBufs = fx.freeBufs[:nb-1]
		// The buffer is mmap'd, outside the Go heap: no Pinner. An empty
		// read still names a valid address inside the buffer.
		p := unsafe.Pointer(unsafe.SliceData(fx.pool.Buf(int(b))))
		fd := io.f.fd
		if io.code == OpReadFixed {
			sqe.PrepReadFixed(fd, p, uint32(len(io.p)), uint64(io.off), b)
		} else {
			sqe.PrepWriteFixed(fd, p, uint32(len(io.p)), uint64(io.off), b)
		}
		if io.f.direct {
			sqe.Flags |= SQEFixedFile // fd is the slot already
		} else if s, ok := r.slotOf(fd); ok {
			sqe.Fd, sqe.Flags = int32(s), sqe.Flags|SQEFixedFile
		}
		r.ops[idx].fd = int32(fd)
		if io.f.direct {
			fd = -1 // a direct descriptor has no descriptor
		}
		r.traceFixedSQE(sqe, cx.TaskID(), fd)
		io.buf, io.idx, io.started = b, idx, true
		return executor.Pending[executor.Result[int]]()
	}
	o := &r.ops[io.idx]
	if o.failed {
		io.done = true // the ring failed: the buffer never returns
		return executor.PollReady(executor.Result[int]{Err: r.err})
	}
	if o.state != opDone {
		o.waker = cx.WakerFor(holders[io.code])
		return executor.Pending[executor.Result[int]]()
	}
	res := o.res
	r.release(io.idx)
	io.done = true
	if res >= 0 && io.code == OpReadFixed {
		copy(io.p, fx.pool.Buf(int(io.buf))[:res])
	}
	fx.freeBufs = append(fx.freeBufs, io.buf)
	if res < 0 {
		return executor.PollReady(executor.Result[int]{Err: unix.Errno(-res)})
	}
	return executor.PollReady(executor.Result[int]{Value: int(res)})
}

// Drop cancels the op; its buffer returns at its CQE.
func (io *fixedIO) Drop() {
	if io.plain != nil {
		if d, ok := io.plain.(executor.Dropper); ok {
			d.Drop()
		}
		return
	}
	if io.started && !io.done {
		io.done = true
		fx, b := io.f.r.fixed, io.buf
		io.f.r.cancel(io.idx, func(int32) { fx.freeBufs = append(fx.freeBufs, b) })
	}
}

// String describes the status in one line.
func (s FixedStatus) String() string {
	out := fmt.Sprintf("registered buffers %d/%d × %d B, file slots %d/%d", s.BufsInUse, s.Buffers, s.BufSize, s.SlotsInUse, s.Slots)
	if s.Why != "" {
		out += " (" + s.Why + ")"
	}
	return out
}

// traceFixedSQE records a fixed op's SQE, saying which registered-file
// slot (and descriptor) and which registered buffer it names, and how
// many of each are in use.
func (r *Reactor) traceFixedSQE(sqe *SQE, task uint64, fd int) {
	if r.ex == nil || !r.ex.Tracing() {
		return
	}
	e := r.ex.NewEvent(trace.SQEPrepared, task)
	e.Op, e.UserData, e.FD = Op(sqe.Opcode).String(), sqe.UserData, sqe.Fd
	e.Fixed = sqe.Flags&SQEFixedFile != 0
	st := r.FixedStatus()
	file := fmt.Sprintf("fd %d", fd)
	switch {
	case sqe.Flags&SQEFixedFile != 0 && fd < 0:
		file = fmt.Sprintf("fixed file slot %d (a direct descriptor)", sqe.Fd)
	case sqe.Flags&SQEFixedFile != 0:
		file = fmt.Sprintf("fixed file slot %d (fd %d)", sqe.Fd, fd)
	}
	e.Note = fmt.Sprintf("%s, registered buffer %d; slots %d/%d, buffers %d/%d in use",
		file, sqe.BufIndex, st.SlotsInUse, st.Slots, st.BufsInUse, st.Buffers)
	r.ringPos(e)
	r.ex.Emit(e)
}
