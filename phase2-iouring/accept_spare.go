//go:build linux || darwin

package iouring

import (
	"golang.org/x/sys/unix"

	executor "asyncworkbook/phase1-executor"
)

// # A cancelled ACCEPT loses no connection
//
// An Accept dropped while its ACCEPT is in flight is cancelled, but the
// cancel can lose: the kernel (or the fallback's worker) may have taken a
// connection off the listen queue already — inline at submission, when
// one was waiting. Closing that connection would drop a client who did
// nothing wrong, and an Accept waiting beside it would wait for a
// connection that already came. So the listener keeps it as a spare: the
// next Accept to be polled takes it, and an Accept already waiting is
// woken to take it (its own ACCEPT is then cancelled, and if that one
// also wins a connection, it becomes the next spare). Close closes the
// spares nobody took. Executor goroutine only, like the listener.

// spareAccepts is a listener's connections accepted for a dropped Accept.
type spareAccepts struct {
	conns   []*TCPStream
	waiters []executor.Waker // Accepts pending on their ACCEPT
}

// keepSpare is the orphan handler of an ACCEPT: the connection goes to the
// next Accept, or is closed when the listener is.
func (l *TCPListener) keepSpare(s *TCPStream) {
	if l.fd < 0 {
		unix.Close(s.fd) // the listener is closed: nobody will accept it
		return
	}
	l.spare.conns = append(l.spare.conns, s)
	ws := l.spare.waiters
	l.spare.waiters = nil
	for _, w := range ws {
		w.Wake()
	}
}

// closeSpares closes the connections nobody took (TCPListener.Close).
func (l *TCPListener) closeSpares() {
	for _, s := range l.spare.conns {
		unix.Close(s.fd)
	}
	l.spare.conns = nil
}

// acceptFuture is an Accept: a spare connection if there is one,
// otherwise its ACCEPT.
type acceptFuture struct {
	l     *TCPListener
	inner executor.Future[executor.Result[*TCPStream]] // the ACCEPT; nil once done or dropped
}

func (a *acceptFuture) Poll(cx *executor.Context) executor.Poll[executor.Result[*TCPStream]] {
	if sp := &a.l.spare; len(sp.conns) > 0 {
		s := sp.conns[0]
		sp.conns = sp.conns[:copy(sp.conns, sp.conns[1:])]
		a.Drop() // our ACCEPT, if in flight, is cancelled; a win becomes a spare
		return executor.PollReady(executor.Result[*TCPStream]{Value: s})
	}
	if a.inner == nil {
		return executor.PollReady(executor.Result[*TCPStream]{Err: ErrFileClosed})
	}
	if p := a.inner.Poll(cx); p.IsReady() {
		a.inner = nil
		return p
	}
	a.l.spare.waiters = append(a.l.spare.waiters, cx.WakerFor("accept (or a spare connection)"))
	return executor.Pending[executor.Result[*TCPStream]]()
}

// Drop passes the drop on to the ACCEPT.
func (a *acceptFuture) Drop() {
	if d, ok := a.inner.(executor.Dropper); ok {
		d.Drop()
	}
	a.inner = nil
}
