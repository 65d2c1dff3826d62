//go:build linux

package iouring

import (
	"errors"
	"unsafe"

	executor "asyncworkbook/phase1-executor"
	"golang.org/x/sys/unix"
)

// # Lending a provided buffer: an echo without copies
//
// With multishot receive (multishot_linux.go) the kernel writes what
// arrives into a provided buffer, and Read copies it out to the caller's
// slice; Write then copies the caller's slice into the stream's send
// buffer, pinned for the SEND. ReadLent skips the first copy: it lends
// the caller the provided buffer itself, holding every unread byte of it,
// and the buffer goes back to the kernel's ring only at the Lent's
// Release. WriteAllLent skips the second: it SENDs straight from a lent
// buffer — memory outside the Go heap, so nothing is pinned — and
// releases the Lent itself once the kernel is done reading it (its last
// SEND's CQE, also when the future was dropped first). A round trip then
// copies nothing in Go.
//
// A lent provided buffer is out of the ring: a stream that holds many
// starves the others (their reads fall back to single-shot RECV, or the
// kernel ends their multishot RECV with -ENOBUFS). Release promptly.
//
// Without multishot receive (the fallback ring, an old kernel, or every
// buffer held), ReadLent is Read into a fresh slice, and WriteAllLent of
// such a Lent is WriteAll.

// ReadLent waits for bytes and lends the caller the buffer they arrived
// in (all of its unread bytes) until Release; see the comment above. 0
// bytes and no error means the peer closed its side.
func (s *TCPStream) ReadLent() *LentRecv {
	return &LentRecv{s: s}
}

// lentRecvSize is the buffer of a ReadLent without a provided buffer.
const lentRecvSize = 4096

// LentRecv is ReadLent's future. Once completed it can be reused for the
// next read with Again, so a loop of reads allocates nothing for them.
type LentRecv struct {
	s      *TCPStream
	plain  executor.Future[executor.Result[int]] // no provided buffer: Read into heap
	heap   []byte
	gen    uint64 // m.gen+1 when our waker is queued
	polled bool
	done   bool
}

// Again makes a completed (or dropped) LentRecv the stream's next
// ReadLent and returns it. It panics on one polled and not completed: a
// plain RECV it started may still be in flight.
func (f *LentRecv) Again() *LentRecv {
	if f.polled && !f.done {
		panic("iouring: LentRecv.Again before the read completed")
	}
	*f = LentRecv{s: f.s}
	return f
}

// Poll implements executor.Future.
func (f *LentRecv) Poll(cx *executor.Context) executor.Poll[executor.Result[Lent]] {
	if f.plain != nil {
		return f.pollPlain(cx)
	}
	f.polled = true
	s := f.s
	fs := s.r.fast
	if fs == nil || fs.ring == nil {
		return f.startPlain(cx)
	}
	if s.ms == nil {
		s.ms = &msRecv{}
	}
	m := s.ms
	switch {
	case len(m.queue) > 0:
		h := m.queue[0]
		// Shift rather than reslice from the front: m.queue[1:] loses a
		// slot of capacity per read, and then every CQE's append
		// allocates a new array.
		n := copy(m.queue, m.queue[1:])
		m.queue = m.queue[:n]
		if len(fs.lentGen) < fs.pool.Len() {
			fs.lentGen = make([]uint32, fs.pool.Len())
		}
		// The buffer leaves the stream's queue without a Recycle: the
		// kernel cannot be given it until the Lent's Release.
		return f.finish(Lent{fs: fs, data: h.data, buf: h.bid, gen: fs.lentGen[h.bid], n: len(h.data)}, nil)
	case m.err != nil:
		err := m.err
		m.err = nil
		return f.finish(Lent{}, err)
	case m.eof:
		return f.finish(Lent{}, nil)
	case s.r.err != nil:
		return f.finish(Lent{}, s.r.err)
	case s.fd < 0:
		return f.finish(Lent{}, ErrFileClosed)
	}
	if !m.armed {
		rx := &s.rx
		if rx.op || len(rx.data) > 0 || rx.err != nil || rx.eof || fs.ring.Available() == 0 {
			// As msReadFuture: a single-shot RECV is in flight or left
			// something, or the ring is empty. Read this one through the
			// stream's own buffer.
			if !rx.op && len(rx.data) == 0 && rx.err == nil && !rx.eof {
				fs.singleShot++
			}
			return f.startPlain(cx)
		}
		if err := s.armMultishot(cx); err != nil {
			return f.finish(Lent{}, err)
		}
	}
	if f.gen != m.gen+1 {
		m.waiters = append(m.waiters, cx.WakerFor(holders[OpRecv]))
		f.gen = m.gen + 1
	}
	return executor.Pending[executor.Result[Lent]]()
}

// startPlain reads into a new slice with a plain Read: the stream's own
// RECV and a copy.
func (f *LentRecv) startPlain(cx *executor.Context) executor.Poll[executor.Result[Lent]] {
	f.heap = make([]byte, lentRecvSize)
	f.plain = &readFuture{s: f.s, p: f.heap}
	return f.pollPlain(cx)
}

func (f *LentRecv) pollPlain(cx *executor.Context) executor.Poll[executor.Result[Lent]] {
	r, ok := f.plain.Poll(cx).Value()
	if !ok {
		return executor.Pending[executor.Result[Lent]]()
	}
	f.plain = nil
	if r.Value == 0 {
		return f.finish(Lent{}, r.Err) // end of stream or an error: nothing lent
	}
	return f.finish(Lent{data: f.heap[:r.Value], n: r.Value}, r.Err)
}

func (f *LentRecv) finish(l Lent, err error) executor.Poll[executor.Result[Lent]] {
	f.done = true
	return executor.PollReady(executor.Result[Lent]{Value: l, Err: err})
}

// Drop implements executor.Dropper. As with Read, the multishot RECV is
// the stream's: nothing is cancelled, and bytes arriving later wait in
// the queue for the next read.
func (f *LentRecv) Drop() {
	if f.done {
		return
	}
	f.done = true
	if f.plain != nil {
		dropFuture(f.plain)
	}
}

// WriteAllLent sends all of l's bytes with IORING_OP_SEND (5.6), issuing
// more SENDs after short ones, straight from the lent buffer (no copy, no
// pin), and releases l when the kernel no longer reads it: at the last
// SEND's CQE, also if the future is dropped before it. The caller must
// not Release l itself, nor use its bytes after calling this. A Lent on
// the heap (ReadLent without a provided buffer) is sent with WriteAll.
func (s *TCPStream) WriteAllLent(l Lent) *LentSend {
	return &LentSend{s: s, l: l}
}

// LentSend is WriteAllLent's future: opFuture's state machine written
// out, one SEND at a time. Once completed it can be reused with Again.
type LentSend struct {
	s       *TCPStream
	l       Lent
	plain   executor.Future[executor.Result[int]] // a heap Lent: WriteAll
	sent    int
	idx     uint32
	started bool // a SEND is in flight (slot idx)
	done    bool
}

// Again makes a completed (or dropped) LentSend the WriteAllLent of l on
// the same stream and returns it. It panics on one with a SEND in
// flight.
func (w *LentSend) Again(l Lent) *LentSend {
	if !w.done && (w.started || w.plain != nil) {
		panic("iouring: LentSend.Again before the send completed")
	}
	*w = LentSend{s: w.s, l: l}
	return w
}

// Poll implements executor.Future.
func (w *LentSend) Poll(cx *executor.Context) executor.Poll[executor.Result[int]] {
	s, r := w.s, w.s.r
	if w.plain == nil && w.l.fx == nil && w.l.fs == nil {
		w.plain = s.WriteAll(w.l.data)
	}
	if w.plain != nil {
		res := w.plain.Poll(cx)
		if _, ok := res.Value(); ok {
			w.done = true
		}
		return res
	}
	p := w.l.Bytes()
	if p == nil && w.l.n > 0 {
		return w.finish(executor.Result[int]{Err: errors.New("iouring: WriteAllLent of a released Lent")})
	}
	for {
		if !w.started {
			if s.fd < 0 {
				return w.finish(executor.Result[int]{Value: w.sent, Err: ErrFileClosed})
			}
			if w.sent >= len(p) {
				return w.finish(executor.Result[int]{Value: w.sent})
			}
			sqe, idx, err := r.prepare(cx, OpSend)
			if err != nil {
				return w.finish(executor.Result[int]{Value: w.sent, Err: err})
			}
			rest := p[w.sent:]
			// The lent buffer is mmap'd, outside the Go heap: the kernel may
			// read it after this poll without a Pinner. It stays lent (out of
			// the ring or the free list) until this SEND's CQE.
			sqe.PrepSend(s.fd, unsafe.Pointer(&rest[0]), ioLen(len(rest)), sendFlags)
			r.ops[idx].fd = sqe.Fd
			r.traceSQE(sqe, cx.TaskID())
			w.idx, w.started = idx, true
			return executor.Pending[executor.Result[int]]()
		}
		o := &r.ops[w.idx]
		if o.failed {
			w.done = true // the ring failed: the buffer stays lent for good
			return executor.PollReady(executor.Result[int]{Value: w.sent, Err: r.err})
		}
		if o.state != opDone {
			o.waker = cx.WakerFor(holders[OpSend]) // a spurious wake: keep waiting
			return executor.Pending[executor.Result[int]]()
		}
		res := o.res
		r.release(w.idx)
		w.started = false
		switch {
		case res < 0:
			return w.finish(executor.Result[int]{Value: w.sent, Err: unix.Errno(-res)})
		case res == 0:
			return w.finish(executor.Result[int]{Value: w.sent, Err: errors.New("iouring: send wrote 0 bytes")})
		}
		w.sent += int(res)
	}
}

func (w *LentSend) finish(res executor.Result[int]) executor.Poll[executor.Result[int]] {
	w.done = true
	w.l.Release()
	return executor.PollReady(res)
}

// Drop implements executor.Dropper: a SEND in flight is cancelled, and
// the Lent released at its CQE, when the kernel no longer reads it.
func (w *LentSend) Drop() {
	if w.done {
		return
	}
	w.done = true
	switch {
	case w.plain != nil:
		dropFuture(w.plain)
	case w.started:
		l := w.l
		w.s.r.cancel(w.idx, func(int32) { l.Release() })
	default:
		w.l.Release() // never polled, or between SENDs: the kernel holds nothing
	}
}
