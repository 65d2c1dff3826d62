//go:build linux

package iouring

import (
	"fmt"
	"unsafe"

	executor "asyncworkbook/phase1-executor"
	"golang.org/x/sys/unix"
)

// # Lending a registered buffer instead of copying out of it
//
// ReadAtFixed copies the 4 KiB the kernel wrote into a registered buffer
// out to the caller's slice, and gives the buffer back at once: no
// caller's memory is ever in the kernel's hands. ReadAtLent skips the
// copy: the caller gets the registered buffer itself, a Lent, and the
// buffer stays out of the free list — no READ_FIXED can be given it —
// until the caller calls Release. A lend that nobody collects (its future
// dropped before or after the CQE) gives the buffer back by itself, at
// the CQE.
//
// A Lent is a small value, not an allocation. It names its buffer and the
// buffer's loan generation, which Release bumps: a second Release (of the
// same Lent or of a copy) finds the generation moved on and does nothing,
// and Bytes of a released Lent is nil, so a stale Lent can neither free a
// buffer twice — two reads would then share it — nor read a buffer lent
// to someone else since. (A slice taken from Bytes before Release is the
// caller's to stop using: Go cannot revoke it.)
//
// The future of a lent read can be reused: once it has completed, Again
// turns it into the next read on the same file, so a loop of reads
// allocates nothing per read.

// Lent is a buffer ReadAtLent filled, lent to the caller until Release.
// The zero Lent is empty and Release of it does nothing.
type Lent struct {
	// Exactly one owner, or neither: heap memory, a plain read's own.
	fx   *fixedState // a registered buffer (File.ReadAtLent)
	fs   *fastState  // a provided buffer (TCPStream.ReadLent, lend_stream_linux.go)
	data []byte      // the bytes: in the owner's buffer, or on the heap
	buf  uint16      // the registered or provided buffer
	gen  uint32      // its loan generation when lent
	n    int         // bytes read
}

// Bytes returns the bytes read, which stay valid until Release or the
// reactor's Close; nil once released.
func (l Lent) Bytes() []byte {
	switch {
	case l.fx != nil && (l.fx.pool == nil || l.fx.lentGen[l.buf] != l.gen):
		return nil // released, or the reactor is closed (the pool unmapped)
	case l.fs != nil && (l.fs.ring == nil || l.fs.lentGen[l.buf] != l.gen):
		return nil
	}
	return l.data
}

// Len returns the number of bytes read.
func (l Lent) Len() int { return l.n }

// Release gives the buffer back to the reactor: the next read may be
// given it. Releasing again, or releasing a copy of a released Lent, does
// nothing. Executor goroutine only.
func (l Lent) Release() {
	if fx := l.fx; fx != nil && fx.lentGen[l.buf] == l.gen {
		fx.lentGen[l.buf]++
		fx.freeBufs = append(fx.freeBufs, l.buf)
	}
	if fs := l.fs; fs != nil && fs.lentGen[l.buf] == l.gen {
		fs.lentGen[l.buf]++
		if fs.ring != nil { // nil: the reactor closed, the ring is gone
			fs.ring.Recycle(l.buf) // back to the kernel
			// Counted like recycleBuf's, so the next event's Bufs say so;
			// a Lent has no executor to trace a bufs-recycled event on.
			fs.recycled++
		}
	}
}

// ReadAtLent reads up to n bytes at off into a registered buffer (READ_FIXED
// through the file's registered slot, as ReadAtFixed) and lends that
// buffer to the caller instead of copying it out: the result's Bytes are
// the buffer, valid until its Release. Where no registered buffer can be
// had (EnableFixed off or failed, n larger than a buffer, every buffer
// held) it is a plain READ into a new slice, lent the same way (its
// Release does nothing).
func (f *File) ReadAtLent(n int, off int64) *LentRead {
	return &LentRead{f: f, n: n, off: off}
}

// LentRead is the future of ReadAtLent.
type LentRead struct {
	f       *File
	n       int
	off     int64
	fx      *fixedState
	buf     uint16 // the registered buffer
	idx     uint32
	plain   executor.Future[executor.Result[int]] // no registered buffer: plain READ
	heap    []byte                                // plain's destination
	started bool
	done    bool
}

// Again makes a completed LentRead the next read, of n bytes at off, on
// the same file, and returns it: the future is reused, nothing allocated.
// It panics if the read has not completed (been polled Ready) or been
// dropped: the op table still names it.
func (rd *LentRead) Again(n int, off int64) *LentRead {
	if rd.started && !rd.done {
		panic("iouring: LentRead.Again before the read completed")
	}
	*rd = LentRead{f: rd.f, n: n, off: off}
	return rd
}

// Poll implements executor.Future.
func (rd *LentRead) Poll(cx *executor.Context) executor.Poll[executor.Result[Lent]] {
	if rd.plain != nil {
		return rd.pollPlain(cx)
	}
	f := rd.f
	r := f.r
	if !rd.started {
		if f.fd < 0 {
			rd.started, rd.done = true, true
			return executor.PollReady(executor.Result[Lent]{Err: ErrFileClosed})
		}
		if rd.n <= 0 {
			rd.started, rd.done = true, true
			if rd.n < 0 {
				return executor.PollReady(executor.Result[Lent]{Err: fmt.Errorf("iouring: ReadAtLent of %d bytes: want 0 or more", rd.n)})
			}
			return executor.PollReady(executor.Result[Lent]{}) // nothing to read, nothing lent
		}
		fx := r.fixed
		if fx == nil || fx.pool == nil || rd.n > fx.pool.Size() || len(fx.freeBufs) == 0 {
			return rd.startPlain(cx)
		}
		if len(fx.lentGen) < fx.pool.Len() {
			fx.lentGen = make([]uint32, fx.pool.Len())
		}
		sqe, idx, err := r.prepare(cx, OpReadFixed)
		if err != nil {
			rd.started, rd.done = true, true
			return executor.PollReady(executor.Result[Lent]{Err: err})
		}
		nb := len(fx.freeBufs)
		b := fx.freeBufs[nb-1]
		fx.freeBufs = fx.freeBufs[:nb-1]
		// The buffer is mmap'd, outside the Go heap: no Pinner. It is out
		// of the free list from here until the lend's Release, or the CQE
		// of a lend nobody collected (Drop).
		p := unsafe.Pointer(unsafe.SliceData(fx.pool.Buf(int(b))))
		// IORING_OP_READ_FIXED (5.1) into registered buffer b.
		sqe.PrepReadFixed(f.fd, p, uint32(rd.n), uint64(rd.off), b)
		if s, ok := r.slotOf(f.fd); ok {
			sqe.Fd, sqe.Flags = int32(s), sqe.Flags|SQEFixedFile
		}
		r.ops[idx].fd = int32(f.fd)
		r.traceFixedSQE(sqe, cx.TaskID(), f.fd)
		rd.fx, rd.buf, rd.idx, rd.started = fx, b, idx, true
		return executor.Pending[executor.Result[Lent]]()
	}
	o := &r.ops[rd.idx]
	if o.failed {
		rd.done = true // the ring failed: the buffer never returns
		return executor.PollReady(executor.Result[Lent]{Err: r.err})
	}
	if o.state != opDone {
		o.waker = cx.WakerFor(holders[OpReadFixed]) // a spurious wake: keep waiting
		return executor.Pending[executor.Result[Lent]]()
	}
	res := o.res
	r.release(rd.idx)
	rd.done = true
	fx := rd.fx
	if res < 0 {
		fx.freeBufs = append(fx.freeBufs, rd.buf) // nothing to lend
		return executor.PollReady(executor.Result[Lent]{Err: unix.Errno(-res)})
	}
	data := fx.pool.Buf(int(rd.buf))[:res]
	return executor.PollReady(executor.Result[Lent]{Value: Lent{fx: fx, data: data, buf: rd.buf, gen: fx.lentGen[rd.buf], n: int(res)}})
}

// startPlain reads into a new slice through ReadAt (the reactor's pool
// and a copy): the lend of memory nobody else will ever use.
func (rd *LentRead) startPlain(cx *executor.Context) executor.Poll[executor.Result[Lent]] {
	rd.started = true
	rd.heap = make([]byte, rd.n)
	rd.plain = rd.f.rw(OpRead, rd.heap, rd.off)
	return rd.pollPlain(cx)
}

func (rd *LentRead) pollPlain(cx *executor.Context) executor.Poll[executor.Result[Lent]] {
	res, ok := rd.plain.Poll(cx).Value()
	if !ok {
		return executor.Pending[executor.Result[Lent]]()
	}
	rd.done = true
	if res.Err != nil {
		return executor.PollReady(executor.Result[Lent]{Err: res.Err})
	}
	return executor.PollReady(executor.Result[Lent]{Value: Lent{data: rd.heap[:res.Value], n: res.Value}})
}

// Drop implements executor.Dropper: the read is cancelled, and its
// buffer, which nobody will be lent, goes back at the CQE.
func (rd *LentRead) Drop() {
	if !rd.started || rd.done {
		return
	}
	rd.done = true
	if rd.plain != nil {
		dropFuture(rd.plain)
		return
	}
	fx, b := rd.fx, rd.buf
	rd.f.r.cancel(rd.idx, func(int32) { fx.freeBufs = append(fx.freeBufs, b) })
}
