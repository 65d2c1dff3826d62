//go:build linux

package pools

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"
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

// 10,000 connections open at once, spread over the executors, each
// echoed. The clients run in a child process (this test binary again), so
// each process needs only one descriptor per connection.
func TestTenThousandConcurrentConnections(t *testing.T) {
	if addr := os.Getenv("POOLS_CLIENT_ADDR"); addr != "" {
		n, _ := strconv.Atoi(os.Getenv("POOLS_CLIENT_N"))
		if err := manyClients(addr, n); err != nil {
			fmt.Println("CLIENT-FAIL:", err)
			os.Exit(1)
		}
		fmt.Println("CLIENT-OK")
		return
	}
	twoCPUs(t)
	n := 10_000
	if testing.Short() {
		n = 1_000
	}
	var lim unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &lim); err != nil {
		t.Fatal(err)
	}
	if need := uint64(n + 512); lim.Cur < need {
		raised := lim
		raised.Cur = min(max(need, lim.Cur), lim.Max)
		if raised.Cur < need {
			t.Skipf("RLIMIT_NOFILE hard limit %d is below the %d descriptors the test needs", lim.Max, need)
		}
		if err := unix.Setrlimit(unix.RLIMIT_NOFILE, &raised); err != nil {
			t.Skipf("cannot raise RLIMIT_NOFILE to %d: %v", need, err)
		}
		defer unix.Setrlimit(unix.RLIMIT_NOFILE, &lim)
	}
	p := newPool(t, MaxSpread(2), Options{RingEntries: 1024})
	srv, err := ServeEcho(p, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestTenThousandConcurrentConnections$")
	cmd.Env = append(os.Environ(), "POOLS_CLIENT_ADDR="+srv.Addr.String(), fmt.Sprintf("POOLS_CLIENT_N=%d", n))
	out, err := cmd.CombinedOutput()
	if err != nil || !bytes.Contains(out, []byte("CLIENT-OK")) {
		t.Fatalf("clients: %v\n%s", err, out)
	}
	if a := srv.Accepted(0) + srv.Accepted(1); a != int64(n) {
		t.Fatalf("accepted %d of %d", a, n)
	}
	t.Logf("executor 0 took %d connections, executor 1 %d", srv.Accepted(0), srv.Accepted(1))
}

// manyClients opens n connections, keeps them all open, then has each
// send a message and wait for its echo.
func manyClients(addr string, n int) error {
	var lim unix.Rlimit
	unix.Getrlimit(unix.RLIMIT_NOFILE, &lim)
	lim.Cur = lim.Max
	unix.Setrlimit(unix.RLIMIT_NOFILE, &lim)
	conns := make([]net.Conn, 0, n)
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for i := range n {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			return fmt.Errorf("connection %d: %w", i, err)
		}
		conns = append(conns, c)
	}
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i, c := range conns {
		wg.Go(func() {
			msg := fmt.Appendf(nil, "#%d", i)
			if _, err := c.Write(msg); err != nil {
				errs <- err
				return
			}
			back := make([]byte, len(msg))
			if _, err := io.ReadFull(c, back); err != nil || !bytes.Equal(back, msg) {
				errs <- fmt.Errorf("connection %d echoed %q: %v", i, back, err)
			}
		})
	}
	wg.Wait()
	close(errs)
	return <-errs
}
