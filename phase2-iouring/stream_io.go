//go:build linux || darwin

package iouring

import (
	"errors"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	executor "asyncworkbook/phase1-executor"
)

// # Streams own their buffers
//
// With completion I/O the kernel writes a RECV's buffer when data arrives,
// which may be after the future that asked was dropped (a timeout won, a
// Select picked another branch). If that buffer were the caller's slice,
// the caller would own it again while the kernel still writes it, and the
// bytes would be lost to the stream. So the kernel never writes memory the
// caller holds:
//
//   - a TCPStream owns one receive buffer. Read(p) starts a RECV into it
//     and, at the CQE, copies into p. A Read dropped before its CQE leaves
//     the RECV to the stream: its bytes, arriving at the CQE, wait in the
//     stream, and the next Read returns them first. At most one RECV is in
//     flight per stream; a Read that finds one (orphaned by an earlier
//     Read) adopts it instead of starting another, and concurrent readers
//     queue behind whichever holds it.
//   - Write(p) copies p into a buffer the stream owns (reused while no
//     SEND uses it) and the kernel reads that copy, so a caller may reuse
//     p as soon as the future is gone, whatever the kernel is still doing.
//
// The price is one copy per read and write, the same memcpy that read(2)
// does from the kernel's socket buffer; what it buys is that no byte is
// ever lost and no caller can reuse memory the kernel may still touch.
// Rejected: handing the caller's buffer to the kernel and making the
// caller wait for the CQE before reuse (tokio-uring's owned buffers):
// un-Go-like signatures, and a dropped future still cannot wait. A
// provided-buffer ring (IORING_REGISTER_PBUF_RING, 5.19) is the faster
// form of the same idea: the kernel picks a stream-owned buffer itself.

const (
	minRecvBuf = 4 << 10   // a stream's receive buffer is at least this big
	maxRecvBuf = 256 << 10 // and grows with the reads asked, up to this
)

// recvSide is a stream's receive half. Executor goroutine only.
type recvSide struct {
	buf  []byte // owned by the stream: the only memory a RECV writes
	data []byte // received, not yet returned: a sub-slice of buf
	eof  bool   // a RECV returned 0: the peer closed its side
	err  error  // an error a RECV returned to nobody, for the next Read

	op      bool             // a RECV into buf is in flight, or done and not collected
	idx     uint32           // its op slot
	owner   *readFuture      // the Read collecting it; nil while orphaned
	waiters []executor.Waker // Reads queued behind the owner
	onCQE   func(res int32)  // orphan handler: keeps the bytes of an abandoned RECV
}

// orphaned stores the result of a RECV whose Read was dropped: bytes for
// the next Read, end of stream, or the error.
func (rx *recvSide) orphaned(res int32) {
	rx.op = false
	switch {
	case res > 0:
		rx.data = rx.buf[:res]
	case res == 0:
		rx.eof = true
	case res == -int32(unix.ECANCELED):
	default:
		rx.err = unix.Errno(-res)
	}
	rx.wakeWaiters()
}

func (rx *recvSide) wakeWaiters() {
	for _, w := range rx.waiters {
		w.Wake()
	}
	rx.waiters = rx.waiters[:0]
}

// abandon gives up the RECV in flight (a Read dropped or timed out, the
// stream closed): ASYNC_CANCEL, and whatever arrives stays in the stream.
func (s *TCPStream) abandonRecv() {
	rx := &s.rx
	if !rx.op {
		return
	}
	rx.owner = nil
	if rx.onCQE == nil {
		rx.onCQE = rx.orphaned
	}
	s.r.cancel(rx.idx, rx.onCQE) // calls onCQE at once if the CQE is already in
	rx.wakeWaiters()
}

// Read receives up to len(buf) bytes with IORING_OP_RECV (5.6). 0 bytes
// and no error means the peer closed its side; a reset peer is an error
// wrapping unix.ECONNRESET. The kernel writes the stream's own buffer,
// never buf (see "Streams own their buffers" above): a Read dropped before
// it completes loses no byte, the next Read returns them.
func (s *TCPStream) Read(buf []byte) executor.Future[executor.Result[int]] {
	if f := s.multishotRead(buf, 0); f != nil {
		return f // EnableMultishot: the stream's multishot RECV (multishot_linux.go)
	}
	return &readFuture{s: s, p: buf}
}

// ReadWithin is Read with a deadline: if nothing arrives within d it
// yields ErrTimeout, and bytes that arrive later wait in the stream for
// the next Read. On io_uring the deadline of a fresh RECV is an
// IORING_OP_LINK_TIMEOUT (5.5) linked to it, so the kernel itself cancels
// the RECV; otherwise (the fallback ring, or a RECV adopted from an
// earlier Read) it is a TIMEOUT raced against the read.
func (s *TCPStream) ReadWithin(buf []byte, d time.Duration) executor.Future[executor.Result[int]] {
	if f := s.multishotRead(buf, max(d, 1)); f != nil {
		return f
	}
	return &readFuture{s: s, p: buf, d: max(d, 1)}
}

// readFuture is Read and ReadWithin.
type readFuture struct {
	s      *TCPStream
	p      []byte
	d      time.Duration                              // > 0: ReadWithin's deadline
	timer  executor.Future[executor.Result[struct{}]] // the deadline, when not linked
	linked bool                                       // our RECV carries a LINK_TIMEOUT
	polled bool
	done   bool
}

func (f *readFuture) Poll(cx *executor.Context) executor.Poll[executor.Result[int]] {
	s, rx := f.s, &f.s.rx
	first := !f.polled
	f.polled = true
	for {
		switch {
		case len(rx.data) > 0:
			n := copy(f.p, rx.data)
			rx.data = rx.data[n:]
			return f.finish(n, nil)
		case rx.err != nil:
			err := rx.err
			rx.err = nil
			return f.finish(0, err)
		case rx.eof || len(f.p) == 0:
			return f.finish(0, nil)
		}
		if !rx.op {
			if s.fd < 0 {
				return f.finish(0, ErrFileClosed)
			}
			if err := f.startRecv(cx, first); err != nil {
				return f.finish(0, err)
			}
			break
		}
		if rx.owner != nil && rx.owner != f {
			// Another Read collects this RECV: queue behind it.
			rx.waiters = append(rx.waiters, cx.WakerFor("stream read queue"))
			break
		}
		o := &s.r.ops[rx.idx]
		if o.failed {
			return f.finish(0, s.r.err) // the ring failed; the slot stays pinned
		}
		if o.state == opOrphaned {
			s.r.adopt(rx.idx, cx)
			rx.owner = f
			break
		}
		if o.state != opDone {
			o.waker = cx.WakerFor(holders[OpRecv]) // a spurious wake: keep waiting
			break
		}
		res, linked := o.res, f.linked
		s.r.release(rx.idx)
		rx.op, rx.owner, f.linked = false, nil, false
		rx.wakeWaiters()
		switch {
		case res > 0:
			rx.data = rx.buf[:res]
		case res == 0:
			rx.eof = true
		case res == -int32(unix.ECANCELED) && linked:
			return f.finish(0, ErrTimeout) // cancelled by its LINK_TIMEOUT
		case res == -int32(unix.ECANCELED):
			// An adopted RECV whose cancel won: nothing arrived. Read again.
		default:
			return f.finish(0, unix.Errno(-res))
		}
	}
	if f.d > 0 && !f.linked {
		if f.timer == nil {
			f.timer = Sleep(s.r, f.d)
		}
		if _, ok := f.timer.Poll(cx).Value(); ok {
			f.timer = nil
			f.abandon()
			return f.finish(0, ErrTimeout)
		}
	}
	return executor.Pending[executor.Result[int]]()
}

// startRecv submits a RECV into the stream's buffer, linked to a
// LINK_TIMEOUT when this is ReadWithin's first poll on a ring that has it.
func (f *readFuture) startRecv(cx *executor.Context, first bool) error {
	s, rx := f.s, &f.s.rx
	if want := min(max(len(f.p), minRecvBuf), maxRecvBuf); len(rx.buf) < want {
		rx.buf = make([]byte, want) // no RECV uses the old one
	}
	link := first && f.d > 0 && s.r.probe.Supports(OpLinkTimeout)
	if link {
		s.r.reserve(2) // the RECV and its LINK_TIMEOUT go in the same submission
	}
	sqe, idx, err := s.r.prepare(cx, OpRecv)
	if err != nil {
		return err
	}
	o := &s.r.ops[idx]
	// The stream's buffer, pinned until the CQE: the kernel writes it
	// after this poll returns, perhaps after this future is gone.
	o.pin.Pin(&rx.buf[0])
	sqe.PrepRecv(s.fd, unsafe.Pointer(&rx.buf[0]), ioLen(min(len(f.p), len(rx.buf))), 0)
	fixedFD(sqe, s.direct)
	if s.pollFirst {
		sqe.SetPollFirst()
	}
	o.fd = sqe.Fd
	s.r.traceSQE(sqe, cx.TaskID())
	if link {
		ts := &Timespec{Sec: int64(f.d / time.Second), Nsec: int64(f.d % time.Second)}
		s.r.linkTimeout(sqe, ts, cx.TaskID())
		o.keep = ts // copied by the kernel at submission; kept to the CQE anyway
		f.linked = true
	}
	rx.op, rx.idx, rx.owner = true, idx, f
	return nil
}

func (f *readFuture) finish(n int, err error) executor.Poll[executor.Result[int]] {
	f.done = true
	if f.timer != nil {
		dropFuture(f.timer)
		f.timer = nil
	}
	if f.s.rx.owner == f {
		f.s.rx.owner = nil
	}
	return executor.PollReady(executor.Result[int]{Value: n, Err: err})
}

// abandon lets go of the RECV this Read holds; its bytes stay in the stream.
func (f *readFuture) abandon() {
	if f.s.rx.owner == f {
		f.s.abandonRecv()
	}
	f.linked = false
}

// Drop implements executor.Dropper: the RECV is cancelled, and what it
// received anyway waits in the stream for the next Read.
func (f *readFuture) Drop() {
	if f.done {
		return
	}
	f.done = true
	f.abandon()
	if f.timer != nil {
		dropFuture(f.timer)
		f.timer = nil
	}
}

// sendSide is a stream's send half: the copy the kernel reads.
// Executor goroutine only.
type sendSide struct {
	buf  []byte // owned by the stream; reused while no SEND reads it
	busy bool   // a SEND (perhaps orphaned) reads buf
}

// take returns an owned buffer of n bytes for a SEND.
func (tx *sendSide) take(n int) []byte {
	if n == 0 {
		return nil
	}
	if !tx.busy && cap(tx.buf) >= n {
		tx.busy = true
		return tx.buf[:n]
	}
	b := make([]byte, n)
	if !tx.busy {
		tx.buf, tx.busy = b, true
	}
	return b
}

// give returns b once no SEND reads it any more.
func (tx *sendSide) give(b []byte) {
	if cap(b) > 0 && cap(tx.buf) > 0 && &b[:1][0] == &tx.buf[:1][0] {
		tx.busy = false
	}
}

// Write sends buf with IORING_OP_SEND (5.6). It may send fewer bytes than
// len(buf); WriteAll loops until all are sent. The kernel reads a copy
// the stream owns, so buf is the caller's again as soon as the future is
// ready or dropped.
func (s *TCPStream) Write(buf []byte) executor.Future[executor.Result[int]] {
	return &sendFuture{s: s, p: buf}
}

// WriteAll sends all of buf, issuing more SENDs after short ones (from
// one copy of buf, made at the first poll).
func (s *TCPStream) WriteAll(buf []byte) executor.Future[executor.Result[int]] {
	return &sendFuture{s: s, p: buf, all: true}
}

type sendFuture struct {
	s     *TCPStream
	p     []byte // the caller's bytes, copied at the first poll
	all   bool   // WriteAll: until every byte is sent
	owned []byte // the copy the kernel reads
	taken bool
	sent  int
	cur   *opFuture
	done  bool
}

func (w *sendFuture) Poll(cx *executor.Context) executor.Poll[executor.Result[int]] {
	if !w.taken {
		if w.s.fd < 0 {
			return w.finish(executor.Result[int]{Err: ErrFileClosed})
		}
		if w.all && len(w.p) == 0 {
			return w.finish(executor.Result[int]{})
		}
		w.owned = w.s.tx.take(len(w.p))
		copy(w.owned, w.p)
		w.taken = true
	}
	for {
		if w.cur == nil {
			w.cur = w.sendOp(w.owned[w.sent:])
		}
		r, ok := w.cur.Poll(cx).Value()
		if !ok {
			return executor.Pending[executor.Result[int]]()
		}
		w.cur = nil
		if r.Err != nil {
			return w.finish(executor.Result[int]{Value: w.sent, Err: r.Err})
		}
		w.sent += int(r.Value)
		if !w.all || w.sent >= len(w.owned) {
			return w.finish(executor.Result[int]{Value: w.sent})
		}
		if r.Value == 0 {
			return w.finish(executor.Result[int]{Value: w.sent, Err: errors.New("iouring: send wrote 0 bytes")})
		}
	}
}

func (w *sendFuture) sendOp(b []byte) *opFuture {
	fd, owned, tx, direct := w.s.fd, w.owned, &w.s.tx, w.s.direct
	return &opFuture{r: w.s.r, code: OpSend,
		prep: func(sqe *SQE, o *op) {
			var p unsafe.Pointer
			if len(b) > 0 {
				o.pin.Pin(&b[0]) // the stream's copy, pinned until the CQE
				p = unsafe.Pointer(&b[0])
			}
			// sendFlags: a write to a closed peer is EPIPE, not SIGPIPE.
			sqe.PrepSend(fd, p, ioLen(len(b)), sendFlags)
			fixedFD(sqe, direct)
		},
		// Dropped mid-flight: the copy is the stream's again at the CQE.
		orphaned: func(int32) { tx.give(owned) },
	}
}

func (w *sendFuture) finish(r executor.Result[int]) executor.Poll[executor.Result[int]] {
	w.done = true
	if w.taken && !w.s.r.ringFailed(r.Err) {
		w.s.tx.give(w.owned)
	}
	return executor.PollReady(r)
}

// Drop cancels the SEND in flight; the stream's copy is reused only after
// its CQE.
func (w *sendFuture) Drop() {
	if w.done {
		return
	}
	w.done = true
	if w.cur != nil {
		w.cur.Drop()
	}
}
