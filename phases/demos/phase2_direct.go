//go:build linux

package demos

import (
	"errors"
	"fmt"

	executor "asyncworkbook/phase1-executor"
	iouring "asyncworkbook/phase2-iouring"
	"asyncworkbook/phases/trace"
)

// The direct-descriptor demo (issue 10): a connection accepted straight
// into a registered-file slot, read with a multishot RECV from provided
// buffers. The ring panel shows both tables filling and emptying.

func init() {
	Register(Demo{
		ID:    "p2-direct-echo",
		Title: "A connection that has no descriptor",
		About: "server accepts client's connection straight into a " +
			"registered-file slot (on io_uring a multishot ACCEPT whose " +
			"CQE names the slot the kernel picked): it has no fd, " +
			"every RECV and SEND names the slot, and its CLOSE empties the " +
			"slot. Watch the ring panel's Files row (d = a direct " +
			"descriptor) and, on io_uring, the Bufs row: the kernel fills " +
			"a provided buffer, the reader holds it, then recycles it.",
		Run: directEcho,
	})
}

// directEcho: client sends three messages; server, on a direct
// descriptor, echoes each.
func directEcho(sink trace.Sink) error {
	return run2(sink, "main", func(e *env2) executor.Future[error] {
		return executor.Async(func(a *executor.Awaiter) error {
			if err := e.r.EnableFixed(0, 0, 4); err != nil {
				return err
			}
			// On the fallback ring this says why not; the stream reads
			// single-shot and the demo runs the same.
			_ = e.r.EnableMultishot(4, 64)
			ln, err := iouring.Listen(e.r, "127.0.0.1:0")
			if err != nil {
				return err
			}
			defer ln.Close()
			cx := a.Context()
			server := executor.SpawnLocal(cx, executor.Async(func(a *executor.Awaiter) error {
				c := executor.Await(a, ln.AcceptDirect())
				if c.Err != nil {
					return c.Err
				}
				s := c.Value
				defer func() { executor.Await(a, s.Close()) }()
				if _, ok := s.Slot(); !ok {
					return errors.New("not a direct descriptor: " + e.r.DirectStatus().String())
				}
				buf := make([]byte, 64)
				for range 3 {
					n := executor.Await(a, s.Read(buf))
					if n.Err != nil || n.Value == 0 {
						return errors.Join(n.Err, errors.New("stream ended early"))
					}
					if w := executor.Await(a, s.WriteAll(buf[:n.Value])); w.Err != nil {
						return w.Err
					}
				}
				return nil
			}), executor.WithName("server"))
			client := executor.SpawnLocal(cx, executor.Async(func(a *executor.Awaiter) error {
				conn := executor.Await(a, iouring.Connect(e.r, ln.Addr()))
				if conn.Err != nil {
					return conn.Err
				}
				defer func() { executor.Await(a, conn.Value.Close()) }()
				back := make([]byte, 64)
				for _, m := range []string{"one", "two", "three"} {
					if w := executor.Await(a, conn.Value.WriteAll([]byte(m))); w.Err != nil {
						return w.Err
					}
					got := 0
					for got < len(m) {
						n := executor.Await(a, conn.Value.Read(back[got:]))
						if n.Err != nil || n.Value == 0 {
							return errors.Join(n.Err, errors.New("echo ended early"))
						}
						got += n.Value
					}
					if string(back[:got]) != m {
						return fmt.Errorf("echo of %q is %q", m, back[:got])
					}
				}
				return nil
			}), executor.WithName("client"))
			serr := executor.Await[executor.Result[error]](a, server)
			cerr := executor.Await[executor.Result[error]](a, client)
			if err := errors.Join(serr.Err, serr.Value, cerr.Err, cerr.Value); err != nil {
				return err
			}
			ln.Close() // ends the listener's multishot ACCEPT, if it has one
			drain(a, e.r)
			if s := e.r.DirectStatus(); s.InUse != 0 {
				return fmt.Errorf("a slot is still in use after the close: %s", s)
			}
			return nil
		})
	}, errorOf)
}
