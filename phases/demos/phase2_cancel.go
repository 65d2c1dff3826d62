//go:build linux

package demos

import (
	"errors"
	"fmt"
	"io"
	"net"
	"time"

	executor "asyncworkbook/phase1-executor"
	iouring "asyncworkbook/phase2-iouring"
	"asyncworkbook/phases/trace"
)

// Demos about I/O that is abandoned: a cancelled read, a connection
// accepted by an op nobody waits for any more, and a Timeout — the last
// one also saying which ring runs it.

func init() {
	Register(Demo{
		ID:    "p2-cancel-read",
		Title: "A cancelled READ keeps its buffer until its CQE",
		About: "main races a READ of an empty pipe against a future that " +
			"is ready at once. Select drops the READ: op-cancelled, an " +
			"ASYNC_CANCEL goes to the kernel, and the READ's own CQE comes " +
			"back with res -125 (ECANCELED). Only then is its buffer " +
			"unpinned and its op slot freed.",
		Run: cancelRead,
	})
	Register(Demo{
		ID:    "p2-orphan-accept",
		Title: "An orphaned ACCEPT: the kernel did the work anyway",
		About: "main submits an ACCEPT, then an ordinary Go client (which " +
			"waits by readiness, in Go's netpoller) connects, and main " +
			"drops the ACCEPT. Usually the kernel has already accepted: " +
			"the CQE reaped for nobody (no task) carries a descriptor, " +
			"and the orphan handler closes it. If the cancel wins, the " +
			"connection is still queued and main accepts and closes it.",
		Run: orphanAccept,
	})
	Register(Demo{
		ID:    "p2-timeout",
		Title: "Timeout, on whichever ring runs",
		About: "A read of an empty pipe under a 2 ms Timeout: the kernel " +
			"TIMEOUT wins, the READ is cancelled. Then a write under a 1 s " +
			"Timeout: the write wins, the TIMEOUT is cancelled. main's " +
			"name says which ring ran; run the workbook with " +
			"WORKBOOK_RING=fallback to see the pure-Go ring do the same.",
		Run: timeoutDemo,
	})
}

func cancelRead(sink trace.Sink) error {
	return run2(sink, "main", func(e *env2) executor.Future[error] {
		return executor.Async(func(a *executor.Awaiter) error {
			pipe, err := e.fifo(a, "pipe")
			if err != nil {
				return err
			}
			defer func() { executor.Await(a, pipe.Close()) }()
			sel := executor.Await(a, executor.Select(
				pipe.ReadAt(make([]byte, 16), 0), // nobody writes: never ready
				executor.Ready(executor.Result[int]{Value: -1}),
			))
			if sel.Index != 1 {
				return fmt.Errorf("the read won the select: %+v", sel)
			}
			if n := e.r.InFlight(); n != 1 {
				return fmt.Errorf("%d ops in flight after the drop; want the cancelled READ, still held", n)
			}
			drain(a, e.r) // the cancel goes in, both CQEs come back
			return nil
		})
	}, errorOf)
}

func orphanAccept(sink trace.Sink) error {
	var client net.Conn
	err := run2(sink, "main", func(e *env2) executor.Future[error] {
		return executor.Async(func(a *executor.Awaiter) error {
			ln, err := iouring.Listen(e.r, "127.0.0.1:0")
			if err != nil {
				return err
			}
			defer ln.Close()
			acc := ln.Accept()
			if _, ok := acc.Poll(a.Context()).Value(); ok {
				return errors.New("accept ready before any client")
			}
			executor.Await(a, executor.YieldNow()) // this turn's enter submits the ACCEPT
			client, err = net.Dial("tcp", ln.Addr().String())
			if err != nil {
				return err
			}
			acc.(executor.Dropper).Drop() // nobody waits for the ACCEPT now
			drain(a, e.r)
			// Did the cancel win? Then the connection is still queued on
			// the listener: accept it for real and close it.
			again := executor.Await(a, iouring.Timeout(e.r, ln.Accept(), 5*time.Millisecond))
			defer drain(a, e.r) // let the loser's cancel come back
			switch {
			case errors.Is(again.Err, iouring.ErrTimeout):
				return nil // nothing queued: the orphan handler closed it
			case again.Err != nil:
				return again.Err
			case again.Value.Err != nil:
				return again.Value.Err
			}
			executor.Await(a, again.Value.Value.Close())
			return nil
		})
	}, errorOf)
	if client == nil {
		return err
	}
	defer client.Close()
	if err != nil {
		return err
	}
	// Either way the server's end is closed: the client reads EOF.
	client.SetReadDeadline(time.Now().Add(2 * time.Second))
	if n, rerr := client.Read(make([]byte, 1)); rerr != io.EOF {
		return fmt.Errorf("client read %d bytes, %v; want EOF: the accepted connection leaked", n, rerr)
	}
	return nil
}

func timeoutDemo(sink trace.Sink) (err error) {
	e, err := newEnv2(sink)
	if err != nil {
		return err
	}
	name := "main on " + e.r.Rings().Kind()
	defer func() { err = errors.Join(err, e.close()) }()
	res, err := executor.BlockOn(e.ex, executor.Async(func(a *executor.Awaiter) error {
		pipe, err := e.fifo(a, "pipe")
		if err != nil {
			return err
		}
		defer func() { executor.Await(a, pipe.Close()) }()
		slow := executor.Await(a, iouring.Timeout(e.r, pipe.ReadAt(make([]byte, 8), 0), 2*time.Millisecond))
		if !errors.Is(slow.Err, iouring.ErrTimeout) {
			return fmt.Errorf("read of an empty pipe under Timeout: %v, want ErrTimeout", slow.Err)
		}
		// Let the cancelled READ's CQE come back before writing to the
		// pipe: a READ still in flight would take the byte.
		drain(a, e.r)
		quick := executor.Await(a, iouring.Timeout(e.r, pipe.WriteAt([]byte("x"), 0), time.Second))
		if quick.Err != nil || quick.Value.Err != nil || quick.Value.Value != 1 {
			return fmt.Errorf("write under Timeout: %+v", quick)
		}
		drain(a, e.r)
		return nil
	}), executor.WithName(name))
	return errors.Join(err, res)
}
