//go:build wrong && wrong_returns_before_conns_end

// This is a WRONG answer, kept to prove the tests reject it
// (go test -tags wrong,wrong_returns_before_conns_end ./solutions/phase2/05-echo-server/ must fail).
//
// The wrong idea: "Serve accepted its n connections: its job is done".
// The connection tasks are still running when it returns; whoever called
// Serve closes the executor, and the connections are cut off mid-echo.

// Package echoserver is exercise phase2/05-echo-server: a TCP echo server
// on the phase-2 runtime.
package echoserver

import (
	"errors"

	executor "asyncworkbook/phase1-executor"
	iouring "asyncworkbook/phase2-iouring"
)

// Serve accepts n connections on ln, echoes each on a task of its own
// named "conn", and returns once all n connections are over (with the
// errors of those that failed, joined).
func Serve(a *executor.Awaiter, ln *iouring.TCPListener, n int) error {
	var conns []executor.Future[executor.Result[error]]
	for range n {
		c := executor.Await(a, ln.Accept())
		if c.Err != nil {
			return c.Err
		}
		s := c.Value
		// A task per connection: while it waits for its client, the
		// accept loop and the other connections go on.
		h := executor.SpawnLocal(a.Context(), executor.Async(func(a *executor.Awaiter) error {
			return Echo(a, s)
		}), executor.WithName("conn"))
		conns = append(conns, h)
	}
	_ = conns
	return nil
}

// Echo sends back everything c receives until the peer closes its side
// (a read of 0 bytes), then closes c. A failed read or write closes c too
// and is returned.
func Echo(a *executor.Awaiter, c *iouring.TCPStream) error {
	buf := make([]byte, 4096)
	for {
		r := executor.Await(a, c.Read(buf))
		if r.Err != nil || r.Value == 0 {
			cl := executor.Await(a, c.Close())
			return errors.Join(r.Err, cl.Err)
		}
		// WriteAll: a SEND may take fewer bytes than it was given.
		if w := executor.Await(a, c.WriteAll(buf[:r.Value])); w.Err != nil {
			executor.Await(a, c.Close())
			return w.Err
		}
	}
}
