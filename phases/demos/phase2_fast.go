//go:build linux

package demos

import (
	"errors"
	"fmt"
	"strings"
	"time"

	executor "asyncworkbook/phase1-executor"
	iouring "asyncworkbook/phase2-iouring"
	"asyncworkbook/phases/trace"
)

// The fast paths' demos: registered files and buffers, and a multishot
// RECV fed by a provided-buffer ring.

func init() {
	Register(Demo{
		ID:    "p2-fixed-reads",
		Title: "Eight reads through a registered file and registered buffers",
		About: "main registers four buffers and a file table, then reads " +
			"eight blocks with ReadAtFixed: each SQE is a READ_FIXED whose " +
			"fd is a slot number, not a descriptor. Only four buffers " +
			"exist, so four reads go as plain READs: the reactor never " +
			"waits for a buffer, it takes the ordinary path.",
		Run: fixedReads,
	})
	Register(Demo{
		ID:    "p2-multishot-recv",
		Title: "One RECV, many CQEs",
		About: "server reads three messages from client. On io_uring one " +
			"multishot RECV SQE serves all three: each CQE says F_MORE " +
			"and names the provided buffer the kernel filled; the last " +
			"CQE, without F_MORE, frees the op's slot. On the fallback " +
			"ring (no provided-buffer ring) you see three single-shot RECVs.",
		Run: multishotRecv,
	})
}

// fixedReads: eight READ_FIXED-or-READ of a file through the reactor's
// registered buffers and file slot.
func fixedReads(sink trace.Sink) error {
	return run2(sink, "main", func(e *env2) executor.Future[error] {
		return executor.Async(func(a *executor.Awaiter) error {
			if err := e.r.EnableFixed(4, 512, 2); err != nil {
				return err
			}
			return readBlocks(a, e, (*iouring.File).ReadAtFixed)
		})
	}, errorOf)
}

// multishotRecv: a client sends three messages, one at a time; the server
// reads each.
func multishotRecv(sink trace.Sink) error {
	return run2(sink, "main", func(e *env2) executor.Future[error] {
		return executor.Async(func(a *executor.Awaiter) error {
			// On the fallback ring this says why not; streams read
			// single-shot, and the demo runs the same.
			_ = e.r.EnableMultishot(4, 64)
			ln, err := iouring.Listen(e.r, "127.0.0.1:0")
			if err != nil {
				return err
			}
			defer ln.Close()
			cx := a.Context()
			next := make(chan struct{}, 1) // server → client: "got it, send the next"
			server := executor.SpawnLocal(cx, executor.Async(func(a *executor.Awaiter) executor.Result[string] {
				c := executor.Await(a, ln.Accept())
				if c.Err != nil {
					return executor.Result[string]{Err: c.Err}
				}
				defer func() { executor.Await(a, c.Value.Close()) }()
				var got []string
				buf := make([]byte, 64)
				for range 3 {
					n := executor.Await(a, c.Value.Read(buf))
					if n.Err != nil || n.Value == 0 {
						return executor.Result[string]{Err: errors.Join(n.Err, errors.New("stream ended early"))}
					}
					got = append(got, string(buf[:n.Value]))
					next <- struct{}{}
				}
				return executor.Result[string]{Value: strings.Join(got, " ")}
			}), executor.WithName("server"))
			client := executor.SpawnLocal(cx, executor.Async(func(a *executor.Awaiter) error {
				conn := executor.Await(a, iouring.Connect(e.r, ln.Addr()))
				if conn.Err != nil {
					return conn.Err
				}
				defer func() { executor.Await(a, conn.Value.Close()) }()
				for _, m := range []string{"one", "two", "three"} {
					if w := executor.Await(a, conn.Value.WriteAll([]byte(m))); w.Err != nil {
						return w.Err
					}
					for len(next) == 0 { // wait for the server, a turn at a time
						executor.Await(a, iouring.Sleep(e.r, 100_000))
					}
					<-next
				}
				return nil
			}), executor.WithName("client"))
			got := executor.Await[executor.Result[executor.Result[string]]](a, server)
			cerr := executor.Await[executor.Result[error]](a, client)
			if err := errors.Join(got.Err, got.Value.Err, cerr.Err, cerr.Value); err != nil {
				return err
			}
			if got.Value.Value != "one two three" {
				return fmt.Errorf("server read %q", got.Value.Value)
			}
			return nil
		})
	}, errorOf)
}

func init() {
	Register(Demo{
		ID:    "p2-read-within",
		Title: "A read the kernel times out",
		About: "main reads a silent connection with ReadWithin(2 ms). On " +
			"io_uring the RECV and a LINK_TIMEOUT linked to it go in one " +
			"submission; the kernel fires the timeout (-62) and cancels " +
			"the RECV (-125) itself. On the fallback ring, which has no " +
			"LINK_TIMEOUT, a TIMEOUT races the RECV instead.",
		Run: readWithin,
	})
}

// readWithin: ReadWithin on a peer that never writes.
func readWithin(sink trace.Sink) error {
	return run2(sink, "main", func(e *env2) executor.Future[error] {
		return executor.Async(func(a *executor.Awaiter) error {
			ln, err := iouring.Listen(e.r, "127.0.0.1:0")
			if err != nil {
				return err
			}
			defer ln.Close()
			conn := executor.Await(a, iouring.Connect(e.r, ln.Addr()))
			if conn.Err != nil {
				return conn.Err
			}
			defer func() { executor.Await(a, conn.Value.Close()) }()
			acc := executor.Await(a, ln.Accept())
			if acc.Err != nil {
				return acc.Err
			}
			defer func() { executor.Await(a, acc.Value.Close()) }()
			rd := executor.Await(a, acc.Value.ReadWithin(make([]byte, 16), 2*time.Millisecond))
			if !errors.Is(rd.Err, iouring.ErrTimeout) {
				return fmt.Errorf("ReadWithin on a silent peer: %d, %v; want ErrTimeout", rd.Value, rd.Err)
			}
			drain(a, e.r)
			return nil
		})
	}, errorOf)
}
