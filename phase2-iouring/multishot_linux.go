//go:build linux

package iouring

import (
	"errors"
	"fmt"
	"time"

	executor "asyncworkbook/phase1-executor"
	"golang.org/x/sys/unix"
)

// # Multishot receive with provided buffers
//
// EnableMultishot gives the reactor a provided-buffer ring
// (IORING_REGISTER_PBUF_RING, 5.19) over a BufferPool outside the Go
// heap. A stream's Read then arms one multishot RECV (IORING_RECV_MULTISHOT,
// 6.0, with IOSQE_BUFFER_SELECT) that lives as long as data keeps coming:
// each time some arrives the kernel takes a buffer from the ring, fills it
// and posts a CQE naming it, with F_MORE. The stream keeps the buffer in
// its queue until Reads have copied all of it out, then Recycles it to the
// ring. An idle connection holds no buffer, and an echo round trip costs
// no RECV SQE.
//
// Because the RECV belongs to the stream and not to a Read, a Read that is
// dropped or times out cancels nothing: what arrives waits in the queue.
//
// The multishot RECV ends (a CQE without F_MORE) at end of stream, on an
// error, or with -ENOBUFS when every buffer is held — by readers slower
// than their peers. The next Read that finds the queue empty re-arms it;
// if the ring is still empty then, that Read is a plain single-shot RECV
// into the stream's own buffer (stream_io.go), counted in
// MultishotStatus.SingleShot. At most one RECV of either kind is ever in
// flight on a stream, so bytes cannot be reordered.

const bufGroup = 1 // the buffer group id of the reactor's provided-buffer ring

// fastState is the reactor's provided-buffer ring. Executor goroutine only.
type fastState struct {
	pool       *BufferPool
	ring       *BufRing // nil when multishot receive is off
	why        string
	enobufs    uint64 // multishot RECVs ended by -ENOBUFS
	rearms     uint64 // multishot RECVs armed
	singleShot uint64 // Reads that found the ring empty and used a plain RECV
	recycled   uint64 // buffers given back to the ring (the trace's Bufs.Recycled)

	lentGen []uint32 // per buffer, bumped at each Release of a lend (lend_stream_linux.go)
}

// MultishotStatus describes the provided-buffer ring, for the workbook and
// the visualiser.
type MultishotStatus struct {
	Buffers, BufSize int    // buffers in the ring and their size (0: off)
	Available        int    // buffers the kernel may take now
	Arms             uint64 // multishot RECVs armed
	ENOBUFS          uint64 // multishot RECVs the kernel ended for want of a buffer
	SingleShot       uint64 // Reads that fell back to a single-shot RECV
	Why              string // why multishot receive is off, "" when on
}

func (s MultishotStatus) String() string {
	if s.Why != "" {
		return "multishot receive off (" + s.Why + ")"
	}
	return fmt.Sprintf("provided buffers %d/%d free × %d B; %d multishot RECVs armed, %d ended by ENOBUFS, %d single-shot fallbacks",
		s.Available, s.Buffers, s.BufSize, s.Arms, s.ENOBUFS, s.SingleShot)
}

// MultishotStatus reports the provided-buffer ring.
func (r *Reactor) MultishotStatus() MultishotStatus {
	fs := r.fast
	if fs == nil {
		return MultishotStatus{Why: "EnableMultishot not called"}
	}
	s := MultishotStatus{Why: fs.why, Arms: fs.rearms, ENOBUFS: fs.enobufs, SingleShot: fs.singleShot}
	if fs.ring != nil {
		s.Buffers, s.BufSize, s.Available = fs.pool.Len(), fs.pool.Size(), fs.ring.Available()
	}
	return s
}

// EnableMultishot gives the reactor a provided-buffer ring of bufs
// buffers of size bytes, and makes streams receive with multishot RECV.
// Where the ring cannot have it (the fallback ring, a kernel before 5.19)
// it returns why, MultishotStatus keeps the reason, and streams go on with
// single-shot RECVs.
func (r *Reactor) EnableMultishot(bufs, size int) error {
	if r.closed {
		return ErrClosed
	}
	if r.fast != nil {
		return errors.New("iouring: EnableMultishot called twice")
	}
	fs := &fastState{}
	r.fast = fs
	u, ok := r.ring.(*uringRings)
	if !ok {
		fs.why = r.ring.Kind() + " ring has no provided-buffer ring; streams use single-shot RECV"
		return errors.New("iouring: " + fs.why)
	}
	p, err := NewBufferPool(bufs, size)
	if err != nil {
		fs.why = err.Error()
		return err
	}
	br, err := NewBufRing(u.Ring, bufGroup, p)
	if err != nil {
		p.Close()
		fs.why = err.Error()
		return err
	}
	fs.pool, fs.ring = p, br
	return nil
}

// closeFast unregisters the provided-buffer ring (the ring is still open:
// its descriptor number cannot have been reused) and unmaps its buffers.
func (r *Reactor) closeFast() {
	if fs := r.fast; fs != nil && fs.ring != nil {
		fs.ring.Close()
		fs.pool.Close()
		fs.ring, fs.pool = nil, nil
	}
}

// msRecv is a stream's multishot receive. Executor goroutine only.
type msRecv struct {
	armed   bool      // a multishot RECV is in flight
	idx     uint32    // its op slot
	queue   []heldBuf // buffers received, in order, not yet read out
	eof     bool
	err     error
	closed  bool // the stream closed: CQEs still to come recycle at once
	waiters []executor.Waker
	gen     uint64 // bumped at each wake: a Read queues its waker once per gen
}

// heldBuf is a provided buffer the stream holds: its id and the bytes
// not yet read from it.
type heldBuf struct {
	bid  uint16
	data []byte
}

// multishotRead is Read / ReadWithin on a reactor with a provided-buffer
// ring, or nil without one.
func (s *TCPStream) multishotRead(p []byte, d time.Duration) executor.Future[executor.Result[int]] {
	if s.r.fast == nil || s.r.fast.ring == nil {
		return nil
	}
	if s.ms == nil {
		s.ms = &msRecv{}
	}
	return &msReadFuture{s: s, p: p, d: d}
}

// onCQE takes one CQE of the stream's multishot RECV.
func (s *TCPStream) onCQE(c CQE) {
	m, br := s.ms, s.r.fast.ring
	bid, hasBuf := c.BufferID()
	if hasBuf { // completeMulti counted it out of the ring (takenBuf)
		if c.Res > 0 && !m.closed {
			m.queue = append(m.queue, heldBuf{bid: bid, data: br.Buf(bid, int(c.Res))})
		} else {
			s.r.recycleBuf(bid) // no data in it (end of stream, an error) or the stream closed
		}
	}
	if !c.More() {
		m.armed = false
		switch {
		case c.Res == 0:
			m.eof = true
		case c.Res == -int32(unix.ENOBUFS):
			s.r.fast.enobufs++ // the next Read that needs data re-arms
		case c.Res == -int32(unix.ECANCELED), c.Res > 0:
		default:
			m.err = unix.Errno(-c.Res)
		}
	}
	m.wake(s.r)
}

func (m *msRecv) wake(r *Reactor) {
	for _, w := range m.waiters {
		r.wakeFromCQE(w)
	}
	m.waiters = m.waiters[:0]
	m.gen++
}

// stopMultishot cancels the multishot RECV and gives back every buffer
// the stream holds (Close and Release).
func (s *TCPStream) stopMultishot() {
	m := s.ms
	if m == nil || m.closed {
		return
	}
	m.closed = true
	for _, h := range m.queue {
		s.r.recycleBuf(h.bid)
	}
	m.queue = nil
	if m.armed {
		s.r.cancel(m.idx, nil) // its last CQE frees the slot
	}
	m.wake(s.r)
}

// armMultishot submits the stream's multishot RECV.
func (s *TCPStream) armMultishot(cx *executor.Context) error {
	m := s.ms
	sqe, idx, err := s.r.prepare(cx, OpRecv)
	if err != nil {
		return err
	}
	// IORING_OP_RECV with IORING_RECV_MULTISHOT (6.0) and
	// IOSQE_BUFFER_SELECT: the buffers are the ring's, outside the Go
	// heap, so nothing is pinned.
	sqe.PrepRecvMultishot(s.fd, bufGroup, 0)
	fixedFD(sqe, s.direct)
	o := &s.r.ops[idx]
	o.fd, o.multi = sqe.Fd, s.onCQE
	s.r.traceSQE(sqe, cx.TaskID())
	m.armed, m.idx = true, idx
	s.r.fast.rearms++
	return nil
}

// msReadFuture is one Read on a stream with multishot receive.
type msReadFuture struct {
	s     *TCPStream
	p     []byte
	d     time.Duration // > 0: ReadWithin's deadline
	timer executor.Future[executor.Result[struct{}]]
	plain executor.Future[executor.Result[int]] // a single-shot Read we delegate to
	gen   uint64                                // m.gen+1 when our waker is queued
	done  bool
}

func (f *msReadFuture) Poll(cx *executor.Context) executor.Poll[executor.Result[int]] {
	if f.plain != nil {
		return f.pollPlain(cx)
	}
	s, m := f.s, f.s.ms
	switch {
	case len(m.queue) > 0:
		h := &m.queue[0]
		n := copy(f.p, h.data)
		h.data = h.data[n:]
		if len(h.data) == 0 {
			s.r.recycleBuf(h.bid) // read out: back to the kernel
			m.queue = m.queue[1:]
		}
		return f.finish(n, nil)
	case m.err != nil:
		err := m.err
		m.err = nil
		return f.finish(0, err)
	case m.eof || len(f.p) == 0:
		return f.finish(0, nil)
	case s.r.err != nil:
		return f.finish(0, s.r.err)
	case s.fd < 0:
		return f.finish(0, ErrFileClosed)
	}
	if !m.armed {
		rx := &s.rx
		if rx.op || len(rx.data) > 0 || rx.err != nil || rx.eof || s.r.fast.ring.Available() == 0 {
			// A single-shot RECV is in flight or left something, or the
			// ring has no buffer (every one held by slower readers): read
			// through the stream's own buffer this time.
			if !rx.op && len(rx.data) == 0 && rx.err == nil && !rx.eof {
				s.r.fast.singleShot++
			}
			f.plain = &readFuture{s: s, p: f.p, d: f.d}
			return f.pollPlain(cx)
		}
		if err := s.armMultishot(cx); err != nil {
			return f.finish(0, err)
		}
	}
	if f.gen != m.gen+1 {
		m.waiters = append(m.waiters, cx.WakerFor(holders[OpRecv]))
		f.gen = m.gen + 1
	}
	if f.d > 0 {
		if f.timer == nil {
			f.timer = Sleep(s.r, f.d)
		}
		if _, ok := f.timer.Poll(cx).Value(); ok {
			f.timer = nil
			return f.finish(0, ErrTimeout) // nothing to cancel: later bytes wait in the queue
		}
	}
	return executor.Pending[executor.Result[int]]()
}

func (f *msReadFuture) pollPlain(cx *executor.Context) executor.Poll[executor.Result[int]] {
	r := f.plain.Poll(cx)
	if _, ok := r.Value(); ok {
		f.plain, f.done = nil, true
	}
	return r
}

func (f *msReadFuture) finish(n int, err error) executor.Poll[executor.Result[int]] {
	f.done = true
	if f.timer != nil {
		dropFuture(f.timer)
		f.timer = nil
	}
	return executor.PollReady(executor.Result[int]{Value: n, Err: err})
}

// Drop implements executor.Dropper. The multishot RECV is the stream's:
// nothing is cancelled, and bytes arriving later wait for the next Read.
func (f *msReadFuture) Drop() {
	if f.done {
		return
	}
	f.done = true
	if f.plain != nil {
		dropFuture(f.plain)
	}
	if f.timer != nil {
		dropFuture(f.timer)
	}
}

// pbufOccupancy is the provided-buffer ring's occupancy for the trace:
// ", ring 3/8 buffers free" (empty without a ring).
func (r *Reactor) pbufOccupancy() string {
	if r.fast == nil || r.fast.ring == nil {
		return ""
	}
	return fmt.Sprintf(", ring %d/%d buffers free", r.fast.ring.Available(), r.fast.pool.Len())
}

// takenBuf counts the provided buffer a CQE names out of the ring: the
// kernel took it, and the reader holds it until recycleBuf.
func (r *Reactor) takenBuf(c CQE) {
	if bid, ok := c.BufferID(); ok && r.fast != nil && r.fast.ring != nil {
		r.fast.ring.Taken(bid)
	}
}
