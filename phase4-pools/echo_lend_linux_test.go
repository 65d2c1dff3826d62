//go:build linux

package pools

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	executor "asyncworkbook/phase1-executor"
	iouring "asyncworkbook/phase2-iouring"
)

// TestLentEchoKeepsEveryByteInOrderOnASmallRing: with WithLend the pool
// echoes from provided buffers. The ring here has 4 buffers of 64 bytes
// for 16 connections sending 1000 bytes at once, so messages span many
// buffers and the ring runs dry (-ENOBUFS, single-shot RECVs): every byte
// must still come back, in order, and Shutdown must drain.
func TestLentEchoKeepsEveryByteInOrderOnASmallRing(t *testing.T) {
	p := newPool(t, Unbound(1), Options{})
	srv, err := ServeEcho(p, "127.0.0.1:0", WithLend(4, 64))
	if err != nil {
		if strings.Contains(err.Error(), "fallback") || strings.Contains(err.Error(), "provided") {
			t.Skip(err)
		}
		t.Fatal(err)
	}
	const conns, size = 16, 1000
	var cs []net.Conn
	for range conns {
		c, err := net.Dial("tcp", srv.Addr.String())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		cs = append(cs, c)
	}
	msg := func(i, round int) []byte {
		return bytes.Repeat(fmt.Appendf(nil, "<%d.%d>", i, round), size)[:size]
	}
	for round := range 3 {
		for i, c := range cs { // all sent before any is read back
			if _, err := c.Write(msg(i, round)); err != nil {
				t.Fatal(err)
			}
		}
		for i, c := range cs {
			back := make([]byte, size)
			c.SetReadDeadline(time.Now().Add(10 * time.Second))
			if _, err := io.ReadFull(c, back); err != nil || !bytes.Equal(back, msg(i, round)) {
				t.Fatalf("round %d, conn %d: echoed %.40q…, %v", round, i, back, err)
			}
		}
	}
	for _, c := range cs {
		c.Close()
	}
	// Read on the executor's own thread: the status is its goroutine's.
	st := await(t, p, 0, executor.PollFn(func(*executor.Context) executor.Poll[iouring.MultishotStatus] {
		return executor.PollReady(p.Executor(0).Reactor().MultishotStatus())
	}))
	if st.Buffers != 4 || st.ENOBUFS == 0 {
		t.Errorf("the executor's provided-buffer ring: %+v, want 4 buffers run dry at least once", st)
	}
	rep := p.Shutdown(5 * time.Second)
	if !rep.Executors[0].Drained {
		t.Fatalf("the lent echo did not drain at Shutdown:\n%s", rep)
	}
}
