//go:build wrong && wrong_one_at_a_time

// This is a WRONG answer, kept to prove the tests reject it
// (go test -tags wrong,wrong_one_at_a_time ./solutions/phase2/05-echo-server/ must fail).
//
// The wrong idea: "the runtime is asynchronous, so awaiting the echo in
// the accept loop is fine — it does not block a thread". It does not
// block a thread, but it blocks this *task*: the accept loop waits for
// the first client to hang up before it accepts the second. The server
// handles one connection at a time, like a blocking server with one
// thread. Echo itself is right; the test whose clients all stay
// connected until every one of them got its echo never finishes.

// Package echoserver is exercise phase2/05-echo-server.
package echoserver

import (
	"errors"

	executor "asyncworkbook/phase1-executor"
	iouring "asyncworkbook/phase2-iouring"
)

// Serve echoes each connection in turn, on the accepting task.
func Serve(a *executor.Awaiter, ln *iouring.TCPListener, n int) error {
	var errs []error
	for range n {
		c := executor.Await(a, ln.Accept())
		if c.Err != nil {
			return c.Err
		}
		errs = append(errs, Echo(a, c.Value))
	}
	return errors.Join(errs...)
}

// Echo sends back everything c receives until the peer closes its side.
func Echo(a *executor.Awaiter, c *iouring.TCPStream) error {
	buf := make([]byte, 4096)
	for {
		r := executor.Await(a, c.Read(buf))
		if r.Err != nil || r.Value == 0 {
			cl := executor.Await(a, c.Close())
			return errors.Join(r.Err, cl.Err)
		}
		if w := executor.Await(a, c.WriteAll(buf[:r.Value])); w.Err != nil {
			executor.Await(a, c.Close())
			return w.Err
		}
	}
}
