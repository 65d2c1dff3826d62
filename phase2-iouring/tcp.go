//go:build linux || darwin

package iouring

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"unsafe"

	"golang.org/x/sys/unix"

	executor "asyncworkbook/phase1-executor"
)

// TCPListener listens on a TCP address; Accept is an io_uring operation.
// Setting up the socket (socket, bind, listen) is done with plain system
// calls: none of them waits for the network, so there is nothing to gain
// from the ring.
type TCPListener struct {
	r    *Reactor
	fd   int
	addr netip.AddrPort
	ma   *msAccept // multishot accept (multishot_accept_linux.go), or nil

	spare spareAccepts // connections a dropped Accept won anyway (accept_spare.go)
}

// TCPStream is a connected TCP socket; Read, Write and Close are io_uring
// operations. A stream belongs to its reactor's executor.
type TCPStream struct {
	r      *Reactor
	fd     int
	remote netip.AddrPort

	rx recvSide // the receive buffer the kernel writes (stream_io.go)
	tx sendSide // the send buffer the kernel reads (stream_io.go)
	ms *msRecv  // multishot receive from provided buffers (multishot_linux.go), or nil

	// direct: the connection lives only in a registered-file slot (fd is
	// the slot: AcceptDirect, direct_linux.go); every SQE names it with
	// IOSQE_FIXED_FILE.
	direct bool
	// pollFirst sets IORING_RECVSEND_POLL_FIRST on single-shot RECVs
	// (SetRecvPollFirst).
	pollFirst bool
}

// Listen opens a TCP listener on addr ("127.0.0.1:0" picks a free port).
func Listen(r *Reactor, addr string) (*TCPListener, error) { return listen(r, addr, false) }

// ListenReusePort opens a TCP listener with SO_REUSEPORT (Linux 3.9):
// several listeners, one per executor, bind the same address and the
// kernel spreads incoming connections between them by a hash of the
// connection's addresses. That is how a sharded server accepts without a
// shared accept queue (phase 4). Closing one listener drops the
// connections waiting in its own queue (net.ipv4.tcp_migrate_req, 5.14,
// moves them to the others instead).
func ListenReusePort(r *Reactor, addr string) (*TCPListener, error) { return listen(r, addr, true) }

func listen(r *Reactor, addr string, reusePort bool) (*TCPListener, error) {
	ap, err := netip.ParseAddrPort(addr)
	if err != nil {
		return nil, fmt.Errorf("iouring: listen %q: %w", addr, err)
	}
	fd, err := newSocket(ap)
	if err != nil {
		return nil, err
	}
	if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEADDR, 1); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("iouring: listen %s: SO_REUSEADDR: %w", ap, err)
	}
	if reusePort {
		if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEPORT, 1); err != nil {
			unix.Close(fd)
			return nil, fmt.Errorf("iouring: listen %s: SO_REUSEPORT: %w", ap, err)
		}
	}
	if err := unix.Bind(fd, sockaddr(ap)); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("iouring: listen %s: bind: %w", ap, err)
	}
	if err := unix.Listen(fd, 1024); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("iouring: listen %s: %w", ap, err)
	}
	sa, err := unix.Getsockname(fd)
	if err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("iouring: listen %s: getsockname: %w", ap, err)
	}
	return &TCPListener{r: r, fd: fd, addr: addrPort(sa)}, nil
}

// Addr returns the address the listener is bound to.
func (l *TCPListener) Addr() netip.AddrPort { return l.addr }

// Accept waits for a connection with IORING_OP_ACCEPT (5.5). If the future
// is dropped and the kernel accepted a connection anyway, that connection
// is neither leaked nor lost: the next Accept gets it (accept_spare.go).
func (l *TCPListener) Accept() executor.Future[executor.Result[*TCPStream]] {
	if l.fd < 0 {
		return executor.Ready(executor.Result[*TCPStream]{Err: ErrFileClosed})
	}
	if f := l.multishotAccept(); f != nil {
		return f // EnableMultishot: the listener's multishot ACCEPT
	}
	raw := new(unix.RawSockaddrAny)
	rawLen := new(uint32)
	*rawLen = uint32(unsafe.Sizeof(*raw))
	fd := l.fd
	op := &opFuture{r: l.r, code: OpAccept,
		prep: func(sqe *SQE, o *op) {
			// The kernel writes the peer's address and its length when
			// the connection arrives: both pinned until the CQE.
			o.pin.Pin(raw)
			o.pin.Pin(rawLen)
			sqe.PrepAccept(fd, raw, rawLen, acceptFlags)
		},
		orphaned: func(res int32) {
			if res >= 0 { // accepted although cancelled: a spare for the next Accept
				l.keepSpare(&TCPStream{r: l.r, fd: int(res), remote: rawAddrPort(raw)})
			}
		},
	}
	return &acceptFuture{l: l, inner: mapResult(op, func(cfd int32) (*TCPStream, error) {
		return &TCPStream{r: l.r, fd: int(cfd), remote: rawAddrPort(raw)}, nil
	}, func(err error) error { return fmt.Errorf("iouring: accept on %s: %w", l.addr, err) })}
}

// Close closes the listening socket. An Accept in flight completes with
// an error.
func (l *TCPListener) Close() error {
	if l.fd < 0 {
		return ErrFileClosed
	}
	l.stopMultishot()
	// shutdown(2) wakes an ACCEPT the kernel is waiting in; close alone
	// would leave it pending on the still-referenced file.
	_ = unix.Shutdown(l.fd, unix.SHUT_RDWR)
	err := unix.Close(l.fd)
	l.fd = -1
	l.closeSpares()
	return err
}

// Connect opens a TCP connection to addr with IORING_OP_CONNECT (5.5). A
// refused connection yields an error wrapping unix.ECONNREFUSED. The
// socket is created at the first poll, so a Connect dropped unpolled holds
// nothing; dropped later, its socket is closed when the CONNECT's CQE
// comes.
func Connect(r *Reactor, addr netip.AddrPort) executor.Future[executor.Result[*TCPStream]] {
	return &connectFuture{r: r, addr: addr}
}

type connectFuture struct {
	r    *Reactor
	addr netip.AddrPort
	f    executor.Future[executor.Result[*TCPStream]] // the op, from the first poll
}

func (c *connectFuture) Poll(cx *executor.Context) executor.Poll[executor.Result[*TCPStream]] {
	if c.f == nil {
		fd, err := newSocket(c.addr)
		if err != nil {
			c.f = executor.Ready(executor.Result[*TCPStream]{Err: err})
		} else {
			c.f = c.connectOp(fd)
		}
	}
	return c.f.Poll(cx)
}

func (c *connectFuture) connectOp(fd int) executor.Future[executor.Result[*TCPStream]] {
	r, addr := c.r, c.addr
	ptr, n := rawSockaddr(addr)
	op := &opFuture{r: r, code: OpConnect,
		prep: func(sqe *SQE, o *op) {
			o.keep = ptr // copied by the kernel at prep; kept to the CQE anyway
			sqe.PrepConnect(fd, ptr, n)
		},
		orphaned: func(int32) { unix.Close(fd) },
	}
	return mapResult(op, func(int32) (*TCPStream, error) {
		return &TCPStream{r: r, fd: fd, remote: addr}, nil
	}, func(err error) error {
		unix.Close(fd) // the kernel keeps its own reference while a CONNECT runs
		return fmt.Errorf("iouring: connect %s: %w", addr, err)
	})
}

// Drop cancels the CONNECT if it started; before that there is nothing.
func (c *connectFuture) Drop() {
	if d, ok := c.f.(executor.Dropper); ok {
		d.Drop()
	}
}

// RemoteAddr returns the peer's address.
func (s *TCPStream) RemoteAddr() netip.AddrPort { return s.remote }

// Close closes the connection with IORING_OP_CLOSE (5.6). Like
// File.Close, it closes the descriptor even if the future is dropped
// before its first poll.
func (s *TCPStream) Close() executor.Future[executor.Result[int]] {
	if s.fd < 0 {
		return executor.Ready(executor.Result[int]{Err: ErrFileClosed})
	}
	fd := s.fd
	s.fd = -1
	s.abandonRecv() // a RECV left by a dropped Read would wait forever
	s.stopMultishot()
	if s.direct {
		return s.r.closeDirect(fd) // IORING_OP_CLOSE of the slot
	}
	return &closeFuture{r: s.r, fd: fd}
}

// Release implements executor.Releaser: an accepted or connected stream
// that nobody will take (its task's handle was dropped or detached) is
// closed with a plain close(2). Not for a stream in use.
func (s *TCPStream) Release() {
	if s.fd >= 0 {
		s.abandonRecv()
		s.stopMultishot()
		if s.direct {
			s.r.releaseDirect(s.fd)
		} else {
			unix.Close(s.fd)
		}
		s.fd = -1
	}
}

func sockaddr(ap netip.AddrPort) unix.Sockaddr {
	if a := ap.Addr(); a.Is4() || a.Is4In6() {
		return &unix.SockaddrInet4{Port: int(ap.Port()), Addr: a.Unmap().As4()}
	}
	return &unix.SockaddrInet6{Port: int(ap.Port()), Addr: ap.Addr().As16()}
}

func rawAddrPort(raw *unix.RawSockaddrAny) netip.AddrPort {
	return rawPtrAddrPort(unsafe.Pointer(raw))
}

// rawPtrAddrPort reads an IPv4 or IPv6 sockaddr at p, which may be only as
// large as its family needs (never read as the larger RawSockaddrAny).
func rawPtrAddrPort(p unsafe.Pointer) netip.AddrPort {
	switch rawFamily(p) {
	case unix.AF_INET:
		sa := (*unix.RawSockaddrInet4)(p)
		return netip.AddrPortFrom(netip.AddrFrom4(sa.Addr), netPort(&sa.Port))
	case unix.AF_INET6:
		sa := (*unix.RawSockaddrInet6)(p)
		return netip.AddrPortFrom(netip.AddrFrom16(sa.Addr), netPort(&sa.Port))
	}
	return netip.AddrPort{}
}

// netPort reads a port stored in network byte order.
func netPort(p *uint16) uint16 { return binary.BigEndian.Uint16((*[2]byte)(unsafe.Pointer(p))[:]) }

func addrPort(sa unix.Sockaddr) netip.AddrPort {
	switch sa := sa.(type) {
	case *unix.SockaddrInet4:
		return netip.AddrPortFrom(netip.AddrFrom4(sa.Addr), uint16(sa.Port))
	case *unix.SockaddrInet6:
		return netip.AddrPortFrom(netip.AddrFrom16(sa.Addr), uint16(sa.Port))
	}
	return netip.AddrPort{}
}
