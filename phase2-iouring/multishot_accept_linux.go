//go:build linux

package iouring

import (
	"fmt"

	executor "asyncworkbook/phase1-executor"
	"golang.org/x/sys/unix"
)

// # Multishot accept
//
// With EnableMultishot, a listener's first Accept arms one multishot
// ACCEPT (IORING_ACCEPT_MULTISHOT, 5.19): a CQE per connection, with
// F_MORE while it goes on. The listener queues the accepted descriptors,
// and Accept takes the oldest. The ACCEPT belongs to the listener, so a
// dropped Accept cancels nothing and loses no connection: the next Accept
// gets it. Close cancels the ACCEPT and closes what nobody took, and what
// the kernel still accepts until the last CQE. A multishot ACCEPT has
// nowhere to write each peer's address: getpeername(2) asks for it.
//
// AcceptDirect on such a listener makes its multishot ACCEPT install each
// connection into a registered-file slot the kernel picks
// (IORING_FILE_INDEX_ALLOC, 5.19): the CQE's res is the slot. The kernel
// picks only inside a range of slots the reactor gives up for it
// (IORING_REGISTER_FILE_ALLOC_RANGE, 6.0), so its choice never collides
// with a slot the reactor fills. Whichever of Accept and AcceptDirect
// comes first decides for the listener; the other then gets the same
// kind of stream. A direct stream accepted this way has no peer address
// (nowhere to write it, and no descriptor for getpeername).

// msAccept is a listener's multishot accept. Executor goroutine only.
type msAccept struct {
	armed   bool
	idx     uint32
	queue   []int32 // accepted descriptors (slots, if direct) nobody has taken yet
	direct  bool    // the ACCEPT installs into slots the kernel allocates
	err     error
	closed  bool
	waiters []executor.Waker
	gen     uint64
}

// multishotAccept is Accept on a reactor with multishot ops, or nil.
func (l *TCPListener) multishotAccept() executor.Future[executor.Result[*TCPStream]] {
	if l.r.fast == nil || l.r.fast.ring == nil {
		return nil
	}
	if l.ma == nil {
		l.ma = &msAccept{}
	}
	return &msAcceptFuture{l: l}
}

// multishotAcceptDirect is AcceptDirect on a reactor with multishot ops:
// the listener's multishot ACCEPT, direct if it is the first to arm it
// and the kernel can allocate slots (else nil: a single-shot direct
// ACCEPT serves).
func (l *TCPListener) multishotAcceptDirect() executor.Future[executor.Result[*TCPStream]] {
	if l.r.fast == nil || l.r.fast.ring == nil {
		return nil
	}
	if l.ma == nil {
		if !l.r.allocRange() {
			return nil
		}
		l.ma = &msAccept{direct: true}
	}
	if !l.ma.direct {
		l.r.directs().plain++ // the listener's multishot ACCEPT hands out descriptors
	}
	return &msAcceptFuture{l: l}
}

// onCQE takes one CQE of the listener's multishot ACCEPT.
func (l *TCPListener) onCQE(c CQE) {
	m := l.ma
	switch {
	case c.Res >= 0 && m.closed:
		l.closeAccepted(c.Res) // accepted after Close: nobody will take it
	case c.Res >= 0:
		m.queue = append(m.queue, c.Res)
	case !c.More() && c.Res != -int32(unix.ECANCELED) && !m.closed:
		m.err = fmt.Errorf("iouring: accept on %s: %w", l.addr, unix.Errno(-c.Res))
	}
	if !c.More() {
		m.armed = false
	}
	for _, w := range m.waiters {
		l.r.wakeFromCQE(w)
	}
	m.waiters = m.waiters[:0]
	m.gen++
}

// stopMultishot cancels the multishot ACCEPT and closes the connections
// nobody took (Close).
func (l *TCPListener) stopMultishot() {
	m := l.ma
	if m == nil || m.closed {
		return
	}
	m.closed = true
	for _, fd := range m.queue {
		l.closeAccepted(fd)
	}
	m.queue = nil
	if m.armed {
		l.r.cancel(m.idx, nil)
	}
}

// closeAccepted closes a connection nobody took: its descriptor, or the
// slot it was installed in.
func (l *TCPListener) closeAccepted(fd int32) {
	if l.ma.direct {
		l.r.emptyDirectSlot(uint32(fd))
		return
	}
	unix.Close(int(fd))
}

type msAcceptFuture struct {
	l    *TCPListener
	gen  uint64
	done bool
}

func (f *msAcceptFuture) Poll(cx *executor.Context) executor.Poll[executor.Result[*TCPStream]] {
	l, m := f.l, f.l.ma
	switch {
	case len(m.queue) > 0:
		fd := int(m.queue[0])
		m.queue = m.queue[1:]
		s := &TCPStream{r: l.r, fd: fd, direct: m.direct}
		if m.direct {
			l.r.directs().direct++
		} else if sa, err := unix.Getpeername(fd); err == nil {
			s.remote = addrPort(sa)
		}
		return f.finish(s, nil)
	case m.err != nil:
		err := m.err
		m.err = nil
		return f.finish(nil, err)
	case l.fd < 0 || m.closed:
		return f.finish(nil, ErrFileClosed)
	case l.r.err != nil:
		return f.finish(nil, l.r.err)
	}
	if !m.armed {
		sqe, idx, err := l.r.prepare(cx, OpAccept)
		if err != nil {
			return f.finish(nil, err)
		}
		sqe.PrepAcceptMultishot(l.fd, acceptFlags)
		if m.direct {
			// IORING_FILE_INDEX_ALLOC (5.19): the kernel picks a free
			// slot of the range allocRange gave it; SOCK_CLOEXEC is
			// refused with a slot.
			sqe.OpFlags &^= unix.SOCK_CLOEXEC
			sqe.FileIndex = fileIndexAlloc
		}
		o := &l.r.ops[idx]
		o.fd, o.multi = sqe.Fd, l.onCQE
		if m.direct {
			l.r.directs().allocOps[idx] = true // its CQEs name slots (allocated)
		}
		l.r.traceSQE(sqe, cx.TaskID())
		m.armed, m.idx = true, idx
	}
	if f.gen != m.gen+1 {
		m.waiters = append(m.waiters, cx.WakerFor(holders[OpAccept]))
		f.gen = m.gen + 1
	}
	return executor.Pending[executor.Result[*TCPStream]]()
}

func (f *msAcceptFuture) finish(s *TCPStream, err error) executor.Poll[executor.Result[*TCPStream]] {
	f.done = true
	return executor.PollReady(executor.Result[*TCPStream]{Value: s, Err: err})
}

// Drop implements executor.Dropper: the ACCEPT is the listener's, so
// nothing is cancelled; a connection arriving later waits for the next
// Accept.
func (f *msAcceptFuture) Drop() { f.done = true }
