//go:build linux

package iouring

import (
	"bytes"
	"io"
	"math/rand/v2"
	"net"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	executor "asyncworkbook/phase1-executor"
)

// acceptPeer returns a stream accepted on r and the Go-side connection
// of a peer, both closed at the end of the test.
func acceptPeer(t *testing.T, ex *executor.Executor, r *Reactor) (*TCPStream, net.Conn) {
	t.Helper()
	ln, err := Listen(r, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	dialed := make(chan net.Conn, 1)
	go func() {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Error(err)
		}
		dialed <- c
	}()
	acc, err := executor.BlockOn(ex, ln.Accept())
	if err != nil || acc.Err != nil {
		t.Fatalf("accept: %v, %v", err, acc.Err)
	}
	peer := <-dialed
	if peer == nil {
		t.FailNow()
	}
	t.Cleanup(func() { peer.Close() })
	s := acc.Value
	t.Cleanup(func() { s.Release() })
	return s, peer
}

// TestNoByteLostToCancelledReads: a peer writes a known sequence in small
// pieces while the reader races it with reads that time out after a few
// microseconds — ReadWithin, Timeout(Read) and a Select that drops the
// Read — 10,000 times, then reads the rest. The concatenation of what the
// reader got must equal what the peer sent: a RECV abandoned by its future
// keeps its bytes in the stream for the next Read.
func TestNoByteLostToCancelledReads(t *testing.T) {
	ex, r, _ := newRuntime(t)
	s, peer := acceptPeer(t, ex, r)
	noByteLost(t, ex, r, s, peer)
}

// noByteLost is TestNoByteLostToCancelledReads on stream s and its peer
// (also run with multishot receive: multishot_linux_test.go).
func noByteLost(t *testing.T, ex *executor.Executor, r *Reactor, s *TCPStream, peer net.Conn) {
	t.Helper()
	const races = 10_000
	rng := rand.New(rand.NewPCG(7, 7))
	want := make([]byte, 200_000)
	for i := range want {
		want[i] = byte(rng.Uint32())
	}
	// The peer writes a small piece each time the reader starts a racing
	// read (a tick), so data keeps arriving at random points of the reads'
	// few microseconds: every race has a chance to lose bytes. Once the
	// races are over the ticks channel is closed and the peer sends the
	// rest at full speed.
	ticks := make(chan struct{}, 1)
	go func() {
		rest := want
		for len(rest) > 0 {
			<-ticks
			n := min(len(rest), 1+rand.IntN(40))
			if _, err := peer.Write(rest[:n]); err != nil {
				return
			}
			rest = rest[n:]
		}
		peer.(*net.TCPConn).CloseWrite()
	}()
	var got []byte
	var timeouts int
	_, err := executor.BlockOn(ex, executor.Async(func(a *executor.Awaiter) int {
		buf := make([]byte, 64)
		for i := range races {
			select {
			case ticks <- struct{}{}:
			default:
			}
			d := time.Duration(1+rand.IntN(30)) * time.Microsecond
			p := buf[:1+rand.IntN(len(buf))]
			var res executor.Result[int]
			switch i % 3 {
			case 0:
				res = executor.Await(a, s.ReadWithin(p, d))
			case 1:
				rr := executor.Await(a, Timeout(r, s.Read(p), d))
				res = executor.Result[int]{Value: rr.Value.Value, Err: rr.Err}
				if rr.Err == nil {
					res.Err = rr.Value.Err
				}
			case 2:
				sel := executor.Await(a, executor.Select(s.Read(p), executor.Future[executor.Result[int]](
					&sleepAsRead{Sleep(r, d)})))
				res = sel.Value
				if sel.Index == 1 {
					res.Err = ErrTimeout
				}
			}
			if res.Err == ErrTimeout {
				timeouts++
				continue
			}
			if res.Err != nil {
				t.Errorf("read %d: %v", i, res.Err)
				return 0
			}
			if res.Value == 0 {
				return 0 // end of stream already
			}
			got = append(got, p[:res.Value]...)
		}
		close(ticks)
		for {
			res := executor.Await(a, s.Read(buf))
			if res.Err != nil {
				t.Errorf("read: %v", res.Err)
				return 0
			}
			if res.Value == 0 {
				return 0
			}
			got = append(got, buf[:res.Value]...)
		}
	}))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		i := 0
		for i < len(got) && i < len(want) && got[i] == want[i] {
			i++
		}
		t.Fatalf("received %d bytes, sent %d; first difference at byte %d (%d reads timed out)", len(got), len(want), i, timeouts)
	}
	if timeouts == 0 {
		t.Fatalf("no read timed out: the test raced nothing")
	}
	t.Logf("%d of %d racing reads timed out; %d bytes intact", timeouts, races, len(got))
}

// sleepAsRead is a Sleep typed as a read, to race a Read in a Select.
type sleepAsRead struct {
	f executor.Future[executor.Result[struct{}]]
}

func (s *sleepAsRead) Poll(cx *executor.Context) executor.Poll[executor.Result[int]] {
	if r, ok := s.f.Poll(cx).Value(); ok {
		return executor.PollReady(executor.Result[int]{Err: r.Err})
	}
	return executor.Pending[executor.Result[int]]()
}

func (s *sleepAsRead) Drop() { dropFuture(s.f) }

// TestFileReadDroppedNeverWritesTheCallersBuffer: a ReadAt dropped while
// in flight; data arrives afterwards. The caller's buffer must stay as the
// caller left it: the kernel wrote a pool buffer, not buf.
func TestFileReadDroppedNeverWritesTheCallersBuffer(t *testing.T) {
	ex, r, _ := newRuntime(t)
	pipe, w := newPipe(t, r)
	buf := make([]byte, 8)
	_, err := executor.BlockOn(ex, executor.Async(func(a *executor.Awaiter) int {
		rd := pipe.ReadAt(buf, -1)
		rd.Poll(a.Context())
		executor.Await(a, executor.YieldNow()) // submitted
		rd.(executor.Dropper).Drop()
		copy(buf, "mine....") // the caller's buffer again
		_, _ = writeFD(w, "kernel!!")
		drain(a, r)
		return 0
	}))
	if err != nil {
		t.Fatal(err)
	}
	if string(buf) != "mine...." {
		t.Fatalf("the caller's buffer holds %q after its read was dropped; want %q", buf, "mine....")
	}
}

func writeFD(fd int, s string) (int, error) { return unix.Write(fd, []byte(s)) }

// TestDroppedWriteNeverReadsTheCallersBufferLater: a WriteAll to a peer
// that does not read yet is dropped mid-flight; the caller then scribbles
// over its buffer. Whatever the peer receives must be the bytes as they
// were when the write was asked for: the kernel reads the stream's copy.
func TestDroppedWriteNeverReadsTheCallersBufferLater(t *testing.T) {
	ex, r, _ := newRuntime(t)
	s, peer := acceptPeer(t, ex, r)
	buf := bytes.Repeat([]byte("a"), 16<<20) // more than the socket buffers hold
	_, err := executor.BlockOn(ex, executor.Async(func(a *executor.Awaiter) int {
		w := s.WriteAll(buf)
		w.Poll(a.Context())
		for range 3 {
			executor.Await(a, executor.YieldNow())
			w.Poll(a.Context())
		}
		w.(executor.Dropper).Drop()
		for i := range buf {
			buf[i] = 'X' // the caller's buffer is the caller's again
		}
		return 0
	}))
	if err != nil {
		t.Fatal(err)
	}
	// Let the cancel be answered, close our side, and read what the peer
	// got, up to the end of the stream.
	_, err = executor.BlockOn(ex, executor.Async(func(a *executor.Awaiter) int {
		if !drainWithin(a, r, 5*time.Second) {
			t.Error("the dropped write is still in flight after 5 s")
		}
		return 0
	}))
	if err != nil {
		t.Fatal(err)
	}
	s.Release()
	peer.SetReadDeadline(time.Now().Add(10 * time.Second))
	all, err := io.ReadAll(peer)
	if err != nil {
		t.Fatal(err)
	}
	if i := bytes.IndexByte(all, 'X'); i >= 0 {
		t.Fatalf("the peer received the caller's later bytes (at %d of %d): the kernel read buf after the write was dropped", i, len(all))
	}
	if len(all) == 0 {
		t.Fatal("the peer received nothing: the write was never in flight")
	}
}
