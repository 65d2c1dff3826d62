package check

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"runtime"
	"time"
)

// The peers below are the clients an exercise's server must survive: they
// read slowly, write a lot at once, or reset the connection. Each returns
// an error that says what the server did wrong; none sleeps to wait for
// the server (a short-write bug shows as wrong bytes, not as a race).

// SlowReader writes msg to c, then reads the echo back chunk bytes at a
// time, yielding between reads, and reports an error unless exactly msg
// came back. With a msg larger than the socket buffers, the server's
// writes come back short or block: a server that drops the rest of a
// short write loses bytes.
func SlowReader(c net.Conn, msg []byte, chunk int) error {
	werr := make(chan error, 1)
	go func() {
		_, err := c.Write(msg)
		werr <- err
	}()
	got := make([]byte, 0, len(msg))
	buf := make([]byte, max(chunk, 1))
	for len(got) < len(msg) {
		n, err := c.Read(buf[:min(len(buf), len(msg)-len(got))])
		got = append(got, buf[:n]...)
		if err != nil {
			return fmt.Errorf("a slow reader got %d of %d echoed bytes, then %v", len(got), len(msg), err)
		}
		runtime.Gosched()
	}
	if err := <-werr; err != nil {
		return fmt.Errorf("a slow reader could not send its %d bytes: %v", len(msg), err)
	}
	return sameBytes("a slow reader", msg, got)
}

// Greedy writes all of msg in one Write while reading the echo
// concurrently, and reports an error unless exactly msg came back. A
// megabyte is more than one read or write of the server moves, so the
// server must loop on short reads and short writes.
func Greedy(c net.Conn, msg []byte) error {
	werr := make(chan error, 1)
	go func() {
		_, err := c.Write(msg)
		werr <- err
	}()
	got := make([]byte, len(msg))
	n, err := io.ReadFull(c, got)
	if err != nil {
		return fmt.Errorf("a greedy peer sent %d bytes at once and got %d back, then %v", len(msg), n, err)
	}
	if err := <-werr; err != nil {
		return fmt.Errorf("a greedy peer could not send its %d bytes: %v", len(msg), err)
	}
	return sameBytes("a greedy peer", msg, got)
}

// Reset closes c with an RST instead of a FIN (SO_LINGER 0), after
// writing msg if it is not empty: the server's next read or write on
// that connection fails with ECONNRESET, which must end that connection
// only.
func Reset(c net.Conn, msg []byte) error {
	if len(msg) > 0 {
		if _, err := c.Write(msg); err != nil {
			return err
		}
	}
	if tc, ok := c.(*net.TCPConn); ok {
		if err := tc.SetLinger(0); err != nil {
			return err
		}
	}
	return c.Close()
}

// EchoOnce writes msg and reads len(msg) bytes back, failing after d.
func EchoOnce(c net.Conn, msg []byte, d time.Duration) error {
	_ = c.SetDeadline(time.Now().Add(d))
	defer func() { _ = c.SetDeadline(time.Time{}) }()
	if _, err := c.Write(msg); err != nil {
		return err
	}
	got := make([]byte, len(msg))
	if n, err := io.ReadFull(c, got); err != nil {
		return fmt.Errorf("sent %d bytes, got %d back, then %v", len(msg), n, err)
	}
	return sameBytes("the echo", msg, got)
}

func sameBytes(who string, want, got []byte) error {
	if bytes.Equal(want, got) {
		return nil
	}
	i := 0
	for i < len(want) && i < len(got) && want[i] == got[i] {
		i++
	}
	return fmt.Errorf("%s got %d bytes back for %d sent, differing from byte %d on: bytes were lost, reordered or repeated", who, len(got), len(want), i)
}
