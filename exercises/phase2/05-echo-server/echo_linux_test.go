package echoserver

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	executor "asyncworkbook/phase1-executor"
	iouring "asyncworkbook/phase2-iouring"
	"asyncworkbook/phases/check"
	"asyncworkbook/phases/trace"
)

const exercise = "phase2/05-echo-server"

// noLeaks checks, when the test ends, that no goroutine it started is
// still running. Call it first: it runs after every other cleanup.
func noLeaks(t *testing.T) {
	before := goleak.IgnoreCurrent()
	t.Cleanup(func() {
		if t.Skipped() || t.Failed() || check.Abandoned(t) {
			return
		}
		goleak.VerifyNone(t, before)
	})
}

// runtimeFor returns a phase-2 runtime — a reactor (io_uring, or the
// fallback ring with WORKBOOK_RING=fallback) driving a traced executor —
// and a listener on it, all closed when the test ends.
func runtimeFor(t *testing.T) (*executor.Executor, *iouring.TCPListener, *trace.Recorder) {
	t.Helper()
	r, err := iouring.NewReactor(64)
	if err != nil {
		t.Fatalf("NewReactor: %v", err)
	}
	t.Logf("ring: %s", r.RingKind())
	ln, err := iouring.Listen(r, "127.0.0.1:0")
	if err != nil {
		r.Close()
		t.Fatalf("Listen: %v", err)
	}
	t.Cleanup(func() {
		if check.Abandoned(t) {
			return // the executor may still be running on the reactor
		}
		ln.Close()
		if err := r.Close(); err != nil {
			t.Errorf("closing the reactor: %v", err)
		}
	})
	rec := check.Recorder(t)
	ex := check.Executor(t, executor.WithDriver(r), executor.WithSink(rec))
	return ex, ln, rec
}

// clients are Go goroutines talking to the server with package net.
type clients struct {
	addr string
	stop chan struct{} // closed when the test ends: give up
	wg   sync.WaitGroup

	mu      sync.Mutex
	stopped bool
	conns   []net.Conn
	errs    []error
}

func newClients(t *testing.T, addr string) *clients {
	c := &clients{addr: addr, stop: make(chan struct{})}
	t.Cleanup(func() {
		close(c.stop)
		c.mu.Lock()
		c.stopped = true
		for _, conn := range c.conns {
			conn.Close() // unblocks a client still waiting for the server
		}
		c.mu.Unlock()
		c.wg.Wait()
	})
	return c
}

// start runs fn on a goroutine with a fresh connection.
func (c *clients) start(name string, fn func(conn *net.TCPConn) error) {
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		err := func() error {
			conn, err := net.Dial("tcp", c.addr)
			if err != nil {
				return err
			}
			defer conn.Close()
			c.mu.Lock()
			stopped := c.stopped
			c.conns = append(c.conns, conn)
			c.mu.Unlock()
			if stopped {
				return errors.New("the test ended")
			}
			return fn(conn.(*net.TCPConn))
		}()
		if err != nil {
			c.mu.Lock()
			c.errs = append(c.errs, fmt.Errorf("client %s: %w", name, err))
			c.mu.Unlock()
		}
	}()
}

// wait waits for every client and returns their errors.
func (c *clients) wait(t *testing.T) error {
	check.WithinExplain(t, "the clients did not finish: the server stopped answering them", func() struct{} {
		c.wg.Wait()
		return struct{}{}
	})
	c.mu.Lock()
	defer c.mu.Unlock()
	return errors.Join(c.errs...)
}

// echo sends msg and reads it back.
func echo(conn net.Conn, msg []byte) error {
	if _, err := conn.Write(msg); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	got := make([]byte, len(msg))
	if _, err := io.ReadFull(conn, got); err != nil {
		return fmt.Errorf("reading the echo of %d bytes: %w", len(msg), err)
	}
	if !bytes.Equal(got, msg) {
		return fmt.Errorf("the echo of %d bytes differs from what was sent", len(msg))
	}
	return nil
}

// hangUp closes the client's sending side and expects the server to
// close the connection in turn (the client then reads EOF).
func hangUp(conn *net.TCPConn) error {
	if err := conn.CloseWrite(); err != nil {
		return err
	}
	if n, err := conn.Read(make([]byte, 1)); err != io.EOF {
		return fmt.Errorf("after closing its side, the client read %d bytes, %v; want EOF: the server must close the connection when its client does", n, err)
	}
	return nil
}

// cqes counts the reaped CQEs of op with a non-negative result, per task.
func cqes(tr check.Trace, op string) map[uint64]int {
	out := map[uint64]int{}
	for _, e := range tr.Only(trace.CQEReaped) {
		if e.Op == op && e.Res >= 0 {
			out[e.Task]++
		}
	}
	return out
}

func total(m map[uint64]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

func TestEchoServesOneClientUntilItHangsUp(t *testing.T) {
	defer check.Guard(t, exercise)
	noLeaks(t)
	ex, ln, rec := runtimeFor(t)
	cl := newClients(t, ln.Addr().String())
	cl.start("solo", func(conn *net.TCPConn) error {
		for _, m := range []string{"hello", "ring", string(bytes.Repeat([]byte("x"), 10000))} {
			if err := echo(conn, []byte(m)); err != nil {
				return err
			}
		}
		return hangUp(conn)
	})
	type out struct{ Err error } // exported: check.BlockOn looks inside
	got := check.BlockOn(t, ex, executor.Async(func(a *executor.Awaiter) out {
		c := executor.Await(a, ln.Accept())
		if c.Err != nil {
			return out{c.Err}
		}
		return out{Echo(a, c.Value)}
	}))
	tr := check.Events(rec)
	if got.Err != nil {
		t.Errorf("Echo returned %v, want nil: a client closing its side is the normal end", got.Err)
	}
	if err := cl.wait(t); err != nil {
		t.Errorf("%v; trace:%s", err, tr.Dump(80))
	}
	if total(cqes(tr, "RECV")) < 4 || total(cqes(tr, "SEND")) < 3 {
		t.Errorf("the trace shows %d RECV and %d SEND completions, want at least 4 and 3: Echo must read and write through the stream's io_uring operations (Read, WriteAll); trace:%s",
			total(cqes(tr, "RECV")), total(cqes(tr, "SEND")), tr.Dump(80))
	}
	if total(cqes(tr, "CLOSE")) != 1 {
		t.Errorf("the trace shows %d CLOSE completions, want 1: Echo closes the stream (Close) when the client hangs up; trace:%s", total(cqes(tr, "CLOSE")), tr.Dump(80))
	}
}

func TestServeEchoesManyClientsAtOnce(t *testing.T) {
	defer check.Guard(t, exercise)
	noLeaks(t)
	ex, ln, rec := runtimeFor(t)
	const n = 5
	cl := newClients(t, ln.Addr().String())
	// Every client keeps its connection open until all of them got their
	// first echo: a server that serves one connection at a time never
	// answers the second.
	var echoed atomic.Int32
	allEchoed := make(chan struct{})
	for i := range n {
		cl.start(fmt.Sprint(i), func(conn *net.TCPConn) error {
			if err := echo(conn, []byte(fmt.Sprintf("hello from %d", i))); err != nil {
				return err
			}
			if echoed.Add(1) == n {
				close(allEchoed)
			}
			select {
			case <-allEchoed:
			case <-cl.stop:
				return errors.New("gave up waiting for the other clients' echoes")
			}
			big := bytes.Repeat([]byte{byte('a' + i)}, 100_000) // more than one read's worth
			if err := echo(conn, big); err != nil {
				return err
			}
			return hangUp(conn)
		})
	}
	type out struct{ Err error } // exported: check.BlockOn looks inside
	got := check.WithinExplain(t,
		"Serve did not return. Are the connections served at the same time — each on a task of its own (SpawnLocal), so the accept loop goes on? "+
			"Does each Echo end when its client closes its side (a Read of 0 bytes)?",
		func() out {
			v, err := executor.BlockOn(ex, executor.Async(func(a *executor.Awaiter) out {
				return out{Serve(a, ln, n)}
			}))
			if err != nil {
				return out{err}
			}
			return v
		})
	check.Started(got.Err)
	tr := check.Events(rec)
	if got.Err != nil {
		t.Errorf("Serve returned %v, want nil; trace:%s", got.Err, tr.Dump(80))
	}
	if err := cl.wait(t); err != nil {
		t.Errorf("%v; trace:%s", err, tr.Dump(80))
	}
	if acc := total(cqes(tr, "ACCEPT")); acc != n {
		t.Errorf("the trace shows %d successful ACCEPT completions, want %d: accept with the listener's Accept (an io_uring ACCEPT), not with package net; trace:%s", acc, n, tr.Dump(80))
	}
	// One task per connection, named "conn", doing that connection's I/O.
	recvs, sends, closes := cqes(tr, "RECV"), cqes(tr, "SEND"), cqes(tr, "CLOSE")
	var conns []uint64
	for _, e := range tr.Only(trace.Spawned) {
		if e.Name == "conn" {
			conns = append(conns, e.Task)
		}
	}
	if len(conns) != n {
		t.Fatalf("%d tasks named \"conn\" were spawned, want %d: one per connection (executor.WithName(\"conn\")); trace:%s", len(conns), n, tr.Dump(80))
	}
	for _, task := range conns {
		if recvs[task] < 3 || sends[task] < 2 || closes[task] != 1 {
			t.Errorf("conn task T%d had %d RECV, %d SEND and %d CLOSE completions, want at least 3, 2 and exactly 1; its events:%s",
				task, recvs[task], sends[task], closes[task], tr.Of(task).Dump(60))
		}
		if tr.Count(task, trace.Completed) != 1 {
			t.Errorf("conn task T%d did not complete: its client closed its side, so its Echo must return; its events:%s", task, tr.Of(task).Dump(60))
		}
	}
}

func TestServeHandlesAClientThatSendsNothing(t *testing.T) {
	defer check.Guard(t, exercise)
	noLeaks(t)
	ex, ln, rec := runtimeFor(t)
	cl := newClients(t, ln.Addr().String())
	cl.start("silent", func(conn *net.TCPConn) error { return hangUp(conn) })
	cl.start("chatty", func(conn *net.TCPConn) error {
		if err := echo(conn, []byte("ping")); err != nil {
			return err
		}
		return hangUp(conn)
	})
	type out struct{ Err error } // exported: check.BlockOn looks inside
	got := check.BlockOn(t, ex, executor.Async(func(a *executor.Awaiter) out { return out{Serve(a, ln, 2)} }))
	tr := check.Events(rec)
	if got.Err != nil {
		t.Errorf("Serve returned %v, want nil; trace:%s", got.Err, tr.Dump(80))
	}
	if err := cl.wait(t); err != nil {
		t.Errorf("%v; trace:%s", err, tr.Dump(80))
	}
	if c := total(cqes(tr, "CLOSE")); c != 2 {
		t.Errorf("the trace shows %d CLOSE completions, want 2 (one per connection, also the one that never sent anything); trace:%s", c, tr.Dump(80))
	}
}

// TestServeSurvivesDifficultPeers serves four clients at once: one sends
// a megabyte in one write while it reads (more than any read or write of
// the server moves at once), one reads its echo a little at a time, one
// resets its connection, one just talks. The reset ends that connection
// only; every connection's descriptor is closed, every task is over when
// Serve returns.
func TestServeSurvivesDifficultPeers(t *testing.T) {
	defer check.Guard(t, exercise)
	check.NoFDLeak(t) // first: it looks after every other cleanup ran
	noLeaks(t)
	ex, ln, rec := runtimeFor(t)
	cl := newClients(t, ln.Addr().String())
	msg := bytes.Repeat([]byte("0123456789abcdef"), 1<<16) // 1 MiB
	// The resetting client goes first, so that its connection is the
	// first one accepted; the others connect once its echo came back,
	// and it resets while they are being served.
	others := func() {
		cl.start("greedy", func(conn *net.TCPConn) error {
			if err := check.Greedy(conn, msg); err != nil {
				return err
			}
			return hangUp(conn)
		})
		cl.start("slow", func(conn *net.TCPConn) error {
			if err := check.SlowReader(conn, msg[:256<<10], 1000); err != nil {
				return err
			}
			return hangUp(conn)
		})
		cl.start("chatty", func(conn *net.TCPConn) error {
			for _, m := range []string{"one", "two", "three"} {
				if err := echo(conn, []byte(m)); err != nil {
					return err
				}
			}
			return hangUp(conn)
		})
	}
	cl.start("reset", func(conn *net.TCPConn) error {
		if err := echo(conn, []byte("bye")); err != nil { // the server is now in its read loop
			return err
		}
		others()                      // (from inside a running client: the WaitGroup is not at zero)
		return check.Reset(conn, nil) // its pending read fails: ECONNRESET
	})
	type out struct{ Err error } // exported: check.BlockOn looks inside
	got := check.WithinExplain(t,
		"Serve did not return: did a connection that was reset, or whose peer reads slowly, stop being served, or its task never end?",
		func() out {
			v, err := executor.BlockOn(ex, executor.Async(func(a *executor.Awaiter) out { return out{Serve(a, ln, 4)} }))
			if err != nil {
				return out{err}
			}
			return v
		})
	check.Started(got.Err)
	tr := check.Events(rec)
	// Before waiting for the clients: a Serve that returned early left
	// connections nobody serves now.
	check.CloseNoLiveTasks(t, ex, "every connection's task must be over when Serve returns: one connection's error must not end the server's wait for the others")
	if err := cl.wait(t); err != nil {
		t.Errorf("%v (Serve returned %v); trace:%s", err, got.Err, tr.Dump(80))
	}
	if c := total(cqes(tr, "CLOSE")); c != 4 {
		t.Errorf("the trace shows %d CLOSE completions, want 4: every connection is closed by the server, also the one whose peer reset it (a failed Read or Write closes the stream too); trace:%s", c, tr.Dump(80))
	}
}

// TestTraceDemo runs a small echo session on your server and writes its
// trace (for the workbook's "run mine"); it skips unless
// WORKBOOK_TRACE_FILE is set.
func TestTraceDemo(t *testing.T) {
	defer check.Guard(t, exercise)
	check.TraceDemo(t, func(sink trace.Sink) {
		r, err := iouring.NewReactor(64)
		if err != nil {
			panic(err)
		}
		defer r.Close()
		ln, err := iouring.Listen(r, "127.0.0.1:0")
		if err != nil {
			panic(err)
		}
		defer ln.Close()
		ex := executor.New(executor.WithDriver(r), executor.WithSink(sink))
		defer ex.Close()
		var wg sync.WaitGroup
		for i := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				conn, err := net.DialTimeout("tcp", ln.Addr().String(), 5*time.Second)
				if err != nil {
					return
				}
				defer conn.Close()
				conn.SetDeadline(time.Now().Add(5 * time.Second))
				echo(conn, []byte(fmt.Sprintf("hello %d", i)))
				hangUp(conn.(*net.TCPConn))
			}()
		}
		res, err := executor.BlockOn(ex, executor.Async(func(a *executor.Awaiter) error { return Serve(a, ln, 2) }))
		if err != nil {
			panic(err) // a TODO in Serve: the demo skips
		}
		wg.Wait()
		if res != nil {
			panic(res)
		}
	})
}
