//go:build linux

package iouring

import (
	"io"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	executor "asyncworkbook/phase1-executor"
)

// Tests for issue 7: descriptors are never leaked by futures that are
// dropped, outputs nobody takes, or cleanups run while a task unwinds.

// openFDs counts this process's open descriptors.
func openFDs(t testing.TB) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skip("no /proc/self/fd:", err)
	}
	return len(ents)
}

// TestUnpolledFuturesDroppedLeakNoDescriptor: Connect used to create its
// socket when the future was built; 100 unpolled Connects, Opens and
// Accepts, dropped, must leave the descriptor count unchanged.
func TestUnpolledFuturesDroppedLeakNoDescriptor(t *testing.T) {
	_, r, _ := newRuntime(t)
	ln, err := Listen(r, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	path := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	before := openFDs(t)
	for range 100 {
		for _, f := range []any{Connect(r, ln.Addr()), Open(r, path, unix.O_RDONLY, 0), ln.Accept()} {
			if d, ok := f.(executor.Dropper); ok {
				d.Drop()
			}
		}
	}
	if after := openFDs(t); after != before {
		t.Fatalf("%d descriptors open after dropping unpolled futures, %d before", after, before)
	}
}

// TestCloseFutureDroppedUnstartedStillCloses: Close takes the descriptor
// from the File at once; a Close future dropped before its first poll
// must close it all the same.
func TestCloseFutureDroppedUnstartedStillCloses(t *testing.T) {
	ex, r, _ := newRuntime(t)
	path := filepath.Join(t.TempDir(), "f")
	before := openFDs(t)
	_, err := executor.BlockOn(ex, executor.Async(func(a *executor.Awaiter) int {
		f := executor.Await(a, Open(r, path, unix.O_CREAT|unix.O_RDWR, 0o644)).Value
		c := f.Close()
		c.(executor.Dropper).Drop()
		return 0
	}))
	if err != nil {
		t.Fatal(err)
	}
	if after := openFDs(t); after != before {
		t.Fatalf("%d descriptors open, %d before: the dropped Close leaked the file", after, before)
	}
}

// TestDeferredCloseOfACancelledCoroutineCloses: the demos' cleanup idiom,
// defer func() { Await(a, f.Close()) }(), in a coroutine cancelled while
// it waits. The Await cannot wait any more; the file is closed anyway.
func TestDeferredCloseOfACancelledCoroutineCloses(t *testing.T) {
	ex, r, _ := newRuntime(t)
	pipe, _ := newPipe(t, r)
	path := filepath.Join(t.TempDir(), "f")
	before := openFDs(t)
	_, err := executor.BlockOn(ex, executor.Async(func(a *executor.Awaiter) int {
		opened := make(chan struct{}, 1)
		h := executor.SpawnLocal(a.Context(), executor.Async(func(a *executor.Awaiter) int {
			f := executor.Await(a, Open(r, path, unix.O_CREAT|unix.O_RDWR, 0o644)).Value
			defer func() { executor.Await(a, f.Close()) }()
			opened <- struct{}{}
			return executor.Await(a, pipe.ReadAt(make([]byte, 1), -1)).Value // never completes
		}))
		for len(opened) == 0 {
			executor.Await(a, executor.YieldNow())
		}
		h.Cancel()
		executor.Await(a, executor.Future[executor.Result[int]](h))
		drain(a, r)
		return 0
	}))
	if err != nil {
		t.Fatal(err)
	}
	if after := openFDs(t); after != before {
		t.Fatalf("%d descriptors open, %d before: the cancelled task's file leaked", after, before)
	}
	if n := ex.Stats().UnwindPanics; n != 0 {
		t.Fatalf("%d panics while unwinding: %v", n, ex.Stats().LastUnhandled)
	}
}

// TestOutputsNobodyTakesAreReleased: a task that opens a file or accepts
// a connection, whose handle was detached, completes with a descriptor
// nobody will ever take: it is closed (Release), not leaked.
func TestOutputsNobodyTakesAreReleased(t *testing.T) {
	ex, r, _ := newRuntime(t)
	ln, err := Listen(r, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	path := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	before := openFDs(t)
	var client net.Conn
	_, err = executor.BlockOn(ex, executor.Async(func(a *executor.Awaiter) int {
		executor.SpawnLocal(a.Context(), Open(r, path, unix.O_RDONLY, 0)).Detach()
		acc := executor.SpawnLocal(a.Context(), ln.Accept())
		executor.Await(a, executor.YieldNow()) // the ACCEPT goes in
		var err error
		if client, err = net.Dial("tcp", ln.Addr().String()); err != nil {
			t.Error(err)
			return 0
		}
		acc.Drop() // nobody will take the connection
		drain(a, r)
		return 0
	}))
	if err != nil || client == nil {
		t.Fatal(err)
	}
	defer client.Close()
	// The accepted side is not leaked: the ACCEPT was cancelled (then the
	// connection waits in the backlog: accept it by hand), or it completed
	// anyway and the listener keeps the connection as a spare for its next
	// Accept (accept_spare.go) — the same as the backlog; close it here.
	spares := len(ln.spare.conns)
	if after := openFDs(t) - 1 - spares; after != before { // -1: the client socket
		t.Fatalf("%d descriptors open (%d spare), %d before: an unclaimed output leaked", after, spares, before)
	}
	ln.closeSpares()
	if pfd := []unix.PollFd{{Fd: int32(ln.fd), Events: unix.POLLIN}}; func() bool {
		n, _ := unix.Poll(pfd, 0)
		return n > 0
	}() {
		// The cancel won: the connection still waits in the backlog.
		if nfd, _, err := unix.Accept(ln.fd); err == nil {
			unix.Close(nfd)
		}
	}
	client.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := client.Read(make([]byte, 1)); err != io.EOF {
		t.Fatalf("client read: %v; want EOF (server side released)", err)
	}
}
