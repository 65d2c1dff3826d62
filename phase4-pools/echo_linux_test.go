//go:build linux

package pools

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"testing"
	"time"
)

// The kernel spreads connections between the executors' SO_REUSEPORT
// listeners; every connection is echoed by the executor that took it, and
// Shutdown stops the listeners and drains.
func TestShardedEchoSpreadsConnectionsAndEchoes(t *testing.T) {
	twoCPUs(t)
	p := newPool(t, MaxSpread(2), Options{})
	srv, err := ServeEcho(p, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	const conns = 64
	var cs []net.Conn
	for i := range conns {
		c, err := net.Dial("tcp", srv.Addr.String())
		if err != nil {
			t.Fatal(err)
		}
		cs = append(cs, c)
		msg := fmt.Appendf(nil, "hello from %d", i)
		if _, err := c.Write(msg); err != nil {
			t.Fatal(err)
		}
		back := make([]byte, len(msg))
		if _, err := io.ReadFull(c, back); err != nil || !bytes.Equal(back, msg) {
			t.Fatalf("conn %d echoed %q, %v", i, back, err)
		}
	}
	for _, c := range cs {
		c.Close()
	}
	a0, a1 := srv.Accepted(0), srv.Accepted(1)
	if a0+a1 != conns || a0 == 0 || a1 == 0 {
		t.Fatalf("executors accepted %d and %d of %d connections: SO_REUSEPORT should spread them", a0, a1, conns)
	}
	rep := p.Shutdown(5 * time.Second)
	for _, e := range rep.Executors {
		if !e.Drained {
			t.Errorf("executor %d did not drain: its listener did not stop at Shutdown\n%s", e.ID, rep)
		}
	}
	if _, err := net.DialTimeout("tcp", srv.Addr.String(), time.Second); err == nil {
		t.Error("a connection was accepted after Shutdown")
	}
}
