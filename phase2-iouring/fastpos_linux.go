//go:build linux

package iouring

import (
	"fmt"

	"asyncworkbook/phases/trace"
)

// The fast paths in the trace (issue 10): every ring-carrying event says
// how the provided-buffer ring and the registered-file table stand
// (Event.Bufs, Event.Files), and the two changes no SQE or CQE shows get
// events of their own: a reader giving buffers back (BufsRecycled) and a
// slot filled or emptied by IORING_REGISTER_FILES_UPDATE (SlotsUpdated).

// fastPos fills e.Bufs and e.Files (zero where the reactor has neither).
func (r *Reactor) fastPos(e *trace.Event) {
	if fs := r.fast; fs != nil && fs.ring != nil {
		e.Bufs = trace.BufRingPos{Buffers: uint32(fs.pool.Len()), Kernel: uint32(fs.ring.Available()), Recycled: fs.recycled}
	}
	if fx := r.fixed; fx != nil && fx.nslots > 0 {
		e.Files = trace.FileTablePos{Slots: fx.nslots, Used: r.slotsUsed()}
		if fx.direct != nil {
			e.Files.Direct = uint32(len(fx.direct.inUse))
		}
	}
}

// recycleBuf gives provided buffer bid back to the kernel's ring and
// traces it.
func (r *Reactor) recycleBuf(bid uint16) {
	fs := r.fast
	fs.ring.Recycle(bid)
	fs.recycled++
	if r.ex == nil || !r.ex.Tracing() {
		return
	}
	e := r.ex.NewEvent(trace.BufsRecycled, 0)
	e.Count = 1
	r.ringPos(e)
	r.ex.Emit(e)
}

// traceSlots records a registered-file slot filled (fd) or emptied (-1)
// by IORING_REGISTER_FILES_UPDATE.
func (r *Reactor) traceSlots(fd int32, note string) {
	if r.ex == nil || !r.ex.Tracing() {
		return
	}
	e := r.ex.NewEvent(trace.SlotsUpdated, 0)
	e.FD, e.Note = fd, note
	r.ringPos(e)
	r.ex.Emit(e)
}

// fastSQE marks an SQE naming a registered-file slot (Event.Fixed) and
// notes the direct-descriptor ops: an OPENAT or ACCEPT into a slot, a
// CLOSE of one.
func (r *Reactor) fastSQE(e *trace.Event, sqe *SQE) {
	e.Fixed = sqe.Flags&SQEFixedFile != 0
	if sqe.FileIndex == 0 {
		return
	}
	slot := sqe.FileIndex - 1
	switch Op(sqe.Opcode) {
	case OpOpenat, OpAccept:
		if sqe.FileIndex == fileIndexAlloc {
			e.Note = "direct: into file slots the kernel picks (IORING_FILE_INDEX_ALLOC; each CQE's res is one)"
			return
		}
		e.Note = fmt.Sprintf("direct: into file slot %d (no descriptor)", slot)
	case OpClose:
		e.Note = fmt.Sprintf("direct: closes file slot %d", slot)
	}
}
