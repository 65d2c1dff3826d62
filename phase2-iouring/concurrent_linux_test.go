//go:build linux

package iouring

import (
	"net"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	executor "asyncworkbook/phase1-executor"
)

// waitPolling waits, on the fallback ring, until n workers sit in poll(2):
// the moment a readiness wakes them all at once.
func waitPolling(a *executor.Awaiter, r *Reactor, n int32) {
	fb, ok := r.ring.(*FallbackRing)
	if !ok {
		executor.Await(a, executor.YieldNow()) // io_uring: submitted is enough
		return
	}
	deadline := time.Now().Add(5 * time.Second)
	for fb.polling.Load() < n && time.Now().Before(deadline) {
		executor.Await(a, executor.YieldNow())
		runtime.Gosched()
	}
}

// holdReadyWorkers makes, on the fallback ring, the workers of op that
// poll(2) found ready wait until n of them are there, then go on at once:
// all n race for one readiness, the interleaving the defect needs.
func holdReadyWorkers(t *testing.T, op Op, n int32) {
	var arrived atomic.Int32
	release := make(chan struct{})
	h := func(o Op) {
		if o != op {
			return
		}
		if arrived.Add(1) == n {
			close(release)
		}
		select {
		case <-release:
		case <-time.After(2 * time.Second): // fewer woke: go on anyway
		}
	}
	afterReady.Store(&h)
	t.Cleanup(func() { afterReady.Store(nil) })
}

// firstReady polls fs until one is ready (parking between rounds, for at
// most 5 s) and returns its index, or -1.
func firstReady[T any](a *executor.Awaiter, r *Reactor, fs []executor.Future[T]) int {
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		for i, f := range fs {
			if f.Poll(a.Context()).IsReady() {
				return i
			}
		}
		executor.Await(a, Sleep(r, time.Millisecond))
	}
	return -1
}

// TestConcurrentAcceptsCancelPromptly: four ACCEPTs wait on one listener;
// one client comes. On the fallback ring all four workers used to wake,
// one accepted, and three blocked in accept4(2), "running", so their
// ASYNC_CANCEL got -EALREADY forever — and an orphan then accepted the
// next client and closed it behind the server's back. Now: the three are
// cancelled in bounded time, and the next client reaches the next Accept.
func TestConcurrentAcceptsCancelPromptly(t *testing.T) {
	ex, r, rec := newRuntime(t)
	holdReadyWorkers(t, OpAccept, 4)
	ln, err := Listen(r, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var clients []net.Conn
	defer func() {
		for _, c := range clients {
			c.Close()
		}
	}()
	dial := func() net.Conn {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		clients = append(clients, c)
		return c
	}
	_, err = executor.BlockOn(ex, executor.Async(func(a *executor.Awaiter) int {
		accs := make([]executor.Future[executor.Result[*TCPStream]], 4)
		for i := range accs {
			accs[i] = ln.Accept()
			accs[i].Poll(a.Context())
		}
		waitPolling(a, r, 4)
		dial()
		won := firstReady(a, r, accs)
		if won < 0 {
			t.Error("no Accept completed for the first client")
			return 0
		}
		for i, f := range accs {
			if i != won {
				f.(executor.Dropper).Drop()
			}
		}
		if !drainWithin(a, r, 5*time.Second) {
			t.Errorf("%d cancelled Accepts still in flight after 5 s:%s", r.InFlight(), dumpTrace(rec))
			return 0
		}
		// The next client must reach the next Accept, not an orphan.
		c2 := dial()
		acc := executor.Await(a, Timeout(r, ln.Accept(), 5*time.Second))
		if acc.Err != nil || acc.Value.Err != nil {
			t.Errorf("the second client was not accepted: %v, %v", acc.Err, acc.Value.Err)
			return 0
		}
		s := acc.Value.Value
		defer s.Release()
		executor.Await(a, s.WriteAll([]byte("hi")))
		c2.SetReadDeadline(time.Now().Add(5 * time.Second))
		buf := make([]byte, 2)
		if n, err := c2.Read(buf); err != nil || string(buf[:n]) != "hi" {
			t.Errorf("second client read %q, %v; want \"hi\" (closed behind the server's back?)", buf[:n], err)
		}
		return 0
	}))
	if err != nil {
		t.Fatal(err)
	}
}

// TestConcurrentReadsOnOneSocketCancelPromptly: four READs on one socket
// (a File on the accepted descriptor, so each is its own READ), one byte
// arrives. The three others used to block in read(2) on the fallback ring,
// beyond the reach of their cancels. Now they are cancelled in bounded
// time and the next byte goes to the next read.
func TestConcurrentReadsOnOneSocketCancelPromptly(t *testing.T) {
	ex, r, rec := newRuntime(t)
	s, peer := acceptPeer(t, ex, r)
	f := &File{r: r, fd: s.fd, name: "socket"}
	holdReadyWorkers(t, OpRead, 4)
	_, err := executor.BlockOn(ex, executor.Async(func(a *executor.Awaiter) int {
		bufs := make([][]byte, 4)
		reads := make([]executor.Future[executor.Result[int]], 4)
		for i := range reads {
			bufs[i] = make([]byte, 1)
			reads[i] = f.ReadAt(bufs[i], -1)
			reads[i].Poll(a.Context())
		}
		waitPolling(a, r, 4)
		if _, err := peer.Write([]byte("a")); err != nil {
			t.Error(err)
			return 0
		}
		won := firstReady(a, r, reads)
		if won < 0 {
			t.Error("no read completed")
			return 0
		}
		for i, rd := range reads {
			if i != won {
				rd.(executor.Dropper).Drop()
			}
		}
		if !drainWithin(a, r, 5*time.Second) {
			t.Errorf("%d cancelled reads still in flight after 5 s:%s", r.InFlight(), dumpTrace(rec))
			return 0
		}
		if _, err := peer.Write([]byte("b")); err != nil {
			t.Error(err)
			return 0
		}
		buf := make([]byte, 1)
		res := executor.Await(a, Timeout(r, f.ReadAt(buf, -1), 5*time.Second))
		if res.Err != nil || res.Value.Err != nil || string(buf) != "b" {
			t.Errorf("next read = %q, %v, %v; want \"b\"", buf, res.Err, res.Value.Err)
		}
		return 0
	}))
	if err != nil {
		t.Fatal(err)
	}
}
