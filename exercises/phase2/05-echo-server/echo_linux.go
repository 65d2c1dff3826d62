// Package echoserver is exercise phase2/05-echo-server: a TCP echo server
// on the phase-2 runtime. Read README.md first.
package echoserver

import (
	executor "asyncworkbook/phase1-executor"
	iouring "asyncworkbook/phase2-iouring"
	"asyncworkbook/phases/check"
)

// The check import is here for check.TODO only. This line keeps it in use
// after you delete the last check.TODO() line, so the file still compiles;
// delete it (and the import) when you are done, if you like.
var _ = check.TODO

// Serve accepts n connections on ln, echoes each on a task of its own
// named "conn", and returns once all n connections are over (with the
// errors of those that failed, joined).
func Serve(a *executor.Awaiter, ln *iouring.TCPListener, n int) error {
	check.TODO() // delete this line, then write Serve
	return nil
}

// Echo sends back everything c receives until the peer closes its side
// (a read of 0 bytes), then closes c. A failed read or write closes c too
// and is returned.
func Echo(a *executor.Awaiter, c *iouring.TCPStream) error {
	check.TODO() // delete this line, then write Echo
	return nil
}
