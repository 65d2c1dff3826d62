//go:build linux || darwin

package pools

import (
	"fmt"
	"net/netip"
	"sync/atomic"

	executor "asyncworkbook/phase1-executor"
	iouring "asyncworkbook/phase2-iouring"
)

// EchoServer is a sharded TCP echo server: one listener per executor, all
// bound to one address with SO_REUSEPORT, so the kernel spreads
// connections between executors and each connection lives, from accept to
// close, on the executor that accepted it — nothing about it is shared.
type EchoServer struct {
	Addr     netip.AddrPort
	accepted []atomic.Int64
}

// Accepted returns how many connections executor i accepted.
func (s *EchoServer) Accepted(i int) int64 { return s.accepted[i].Load() }

// ServeEcho starts an echo server on every executor of p, listening on
// addr ("127.0.0.1:0" picks a port: executor 0 binds first, the others
// bind the port it got). The listeners stop when the pool's Shutdown
// begins; connections end when their peers close them (or at the
// shutdown deadline).
//
// With WithLend each executor's reactor receives with multishot RECV into
// a provided-buffer ring and each connection is EchoLent: no copy in Go.
func ServeEcho(p *Pool, addr string, opts ...EchoOption) (*EchoServer, error) {
	var cfg echoConfig
	for _, o := range opts {
		o(&cfg)
	}
	s := &EchoServer{accepted: make([]atomic.Int64, p.Len())}
	for i := range p.Len() {
		got, err := s.start(p, i, addr, cfg)
		if err != nil {
			return nil, err
		}
		if i == 0 {
			s.Addr, addr = got, got.String()
		}
	}
	return s, nil
}

// EchoOption configures ServeEcho.
type EchoOption func(*echoConfig)

type echoConfig struct {
	lend       bool
	bufs, size int
}

// WithLend serves with EchoLent on a provided-buffer ring of bufs buffers
// of size bytes per executor (Reactor.EnableMultishot). Where the kernel
// has no such ring (the fallback ring, a kernel before 5.19) ServeEcho
// fails and says why.
func WithLend(bufs, size int) EchoOption {
	return func(c *echoConfig) { c.lend, c.bufs, c.size = true, bufs, size }
}

// start creates executor i's listener on its own ring, from a task there.
func (s *EchoServer) start(p *Pool, i int, addr string, cfg echoConfig) (netip.AddrPort, error) {
	type bound struct {
		addr netip.AddrPort
		err  error
	}
	ready := make(chan bound, 1)
	_, err := Spawn(p, i, executor.Async(func(a *executor.Awaiter) struct{} {
		serve := echo
		if cfg.lend {
			var err error
			if serve, err = echoLend(p.Executor(i).Reactor(), cfg.bufs, cfg.size); err != nil {
				ready <- bound{err: fmt.Errorf("pools: executor %d: %w", i, err)}
				return struct{}{}
			}
		}
		ln, err := iouring.ListenReusePort(p.Executor(i).Reactor(), addr)
		if err != nil {
			ready <- bound{err: fmt.Errorf("pools: executor %d: %w", i, err)}
			return struct{}{}
		}
		defer ln.Close()
		ready <- bound{addr: ln.Addr()} // buffered: never blocks the executor
		for {
			o := executor.Await(a, acceptOrStop(p, ln))
			if o.stopped || o.conn.Err != nil {
				return struct{}{}
			}
			s.accepted[i].Add(1)
			executor.SpawnLocal(a.Context(), serve(o.conn.Value), executor.WithName("echo conn"))
		}
	}), executor.WithName(fmt.Sprintf("echo listener %d", i)))
	if err != nil {
		return netip.AddrPort{}, err
	}
	b := <-ready
	return b.addr, b.err
}

// acceptOrStop waits for a connection or for the pool's Shutdown, and
// reports which. A pending accept dropped at shutdown is cancelled (a
// connection the kernel accepted anyway is closed).
func acceptOrStop(p *Pool, ln *iouring.TCPListener) executor.Future[acceptOutcome] {
	return &acceptStop{acc: ln.Accept(), stop: p.Stopping()}
}

type acceptResult = executor.Result[*iouring.TCPStream]

type acceptOutcome struct {
	conn    acceptResult
	stopped bool
}

type acceptStop struct {
	acc  executor.Future[acceptResult]
	stop executor.Future[struct{}]
}

func (f *acceptStop) Poll(cx *executor.Context) executor.Poll[acceptOutcome] {
	if _, ok := f.stop.Poll(cx).Value(); ok {
		f.Drop()
		return executor.PollReady(acceptOutcome{stopped: true})
	}
	if c, ok := f.acc.Poll(cx).Value(); ok {
		f.acc = nil
		return executor.PollReady(acceptOutcome{conn: c})
	}
	return executor.Pending[acceptOutcome]()
}

func (f *acceptStop) Drop() {
	if d, ok := f.acc.(executor.Dropper); ok {
		d.Drop()
	}
	f.acc = nil
}

// echo sends back what it reads until the peer closes (copying through
// Read and WriteAll: ServeEcho without WithLend).
func echo(c *iouring.TCPStream) executor.Future[error] {
	return executor.Async(func(a *executor.Awaiter) error {
		buf := make([]byte, 4096)
		// A closure: a deferred call's arguments are evaluated at once, and
		// c.Close() there would close the stream before the first Read.
		defer func() { executor.Await(a, c.Close()) }()
		for {
			n := executor.Await(a, c.Read(buf))
			if n.Err != nil || n.Value == 0 {
				return n.Err
			}
			if w := executor.Await(a, c.WriteAll(buf[:n.Value])); w.Err != nil {
				return w.Err
			}
		}
	})
}
