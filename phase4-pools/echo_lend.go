//go:build linux

package pools

import (
	executor "asyncworkbook/phase1-executor"
	iouring "asyncworkbook/phase2-iouring"
)

// EchoLent serves one connection with no copy in Go: ReadLent lends the
// provided buffer the bytes arrived in (the reactor must have
// EnableMultishot on; without it ReadLent reads into a fresh slice) and
// WriteAllLent sends straight from it, giving it back to the kernel's ring
// at the SEND's CQE. It is a hand-written future, not a coroutine, and its
// two futures are made once and reused (Again), so a round trip allocates
// nothing. It ends, closing the stream, when the peer closes or an op
// fails; dropped, it releases the stream.
func EchoLent(c *iouring.TCPStream) executor.Future[error] {
	return &lendConn{c: c, rd: c.ReadLent(), wr: c.WriteAllLent(iouring.Lent{})}
}

type lendConn struct {
	c       *iouring.TCPStream
	rd      *iouring.LentRecv
	wr      *iouring.LentSend
	reading bool                                  // rd is in flight
	writing bool                                  // wr is in flight
	cl      executor.Future[executor.Result[int]] // the Close, once the peer is gone
	err     error
}

// Poll implements executor.Future: read, write back, and again.
func (e *lendConn) Poll(cx *executor.Context) executor.Poll[error] {
	for {
		switch {
		case e.cl != nil:
			if _, ok := e.cl.Poll(cx).Value(); !ok {
				return executor.Pending[error]()
			}
			return executor.PollReady(e.err)
		case e.writing:
			w, ok := e.wr.Poll(cx).Value()
			if !ok {
				return executor.Pending[error]()
			}
			e.writing = false
			if w.Err != nil {
				e.err, e.cl = w.Err, e.c.Close()
			}
		default:
			if !e.reading {
				e.rd.Again()
				e.reading = true
			}
			n, ok := e.rd.Poll(cx).Value()
			if !ok {
				return executor.Pending[error]()
			}
			e.reading = false
			if n.Err != nil || n.Value.Len() == 0 {
				n.Value.Release()
				e.err, e.cl = n.Err, e.c.Close()
				continue
			}
			e.wr.Again(n.Value) // releases the Lent when sent
			e.writing = true
		}
	}
}

// Drop implements executor.Dropper: the op in flight is dropped (a lent
// buffer goes back at its CQE) and the stream released.
func (e *lendConn) Drop() {
	if e.reading {
		e.rd.Drop()
	}
	if e.writing {
		e.wr.Drop()
	}
	if d, ok := e.cl.(executor.Dropper); ok {
		d.Drop()
	}
	if e.cl == nil {
		e.c.Release()
	}
}

// echoLend is ServeEcho's WithLend: multishot receive from a provided-
// buffer ring on the executor's reactor (enabled on its own thread, from
// the listener task), and EchoLent per connection.
func echoLend(r *iouring.Reactor, bufs, size int) (func(*iouring.TCPStream) executor.Future[error], error) {
	if err := r.EnableMultishot(bufs, size); err != nil {
		return nil, err
	}
	return EchoLent, nil
}
