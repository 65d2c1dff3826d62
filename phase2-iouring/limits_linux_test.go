//go:build linux

package iouring

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"

	executor "asyncworkbook/phase1-executor"
)

func TestShortReadAtEndOfFile(t *testing.T) {
	ex, r, _ := newRuntime(t)
	path := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(path, []byte("0123456789"), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := executor.BlockOn(ex, executor.Async(func(a *executor.Awaiter) [2]int {
		f := executor.Await(a, Open(r, path, unix.O_RDONLY, 0)).Value
		defer func() { executor.Await(a, f.Close()) }()
		buf := make([]byte, 8)
		short := executor.Await(a, f.ReadAt(buf, 6)).Value // 4 bytes left
		eof := executor.Await(a, f.ReadAt(buf, 10)).Value  // none left
		return [2]int{short, eof}
	}))
	if err != nil || got != [2]int{4, 0} {
		t.Fatalf("reads near the end = %v, %v; want a short read of 4, then 0 at EOF", got, err)
	}
}

// TestWriteAllSurvivesShortSends: a socket with a tiny send buffer takes a
// large write in pieces; WriteAll keeps sending until all of it is gone,
// while the peer drains it.
func TestWriteAllSurvivesShortSends(t *testing.T) {
	ex, r, _ := newRuntime(t)
	ln, err := Listen(r, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	payload := bytes.Repeat([]byte("0123456789abcdef"), 1<<16) // 1 MiB
	got, err := executor.BlockOn(ex, executor.Async(func(a *executor.Awaiter) int {
		reader := executor.SpawnLocal(a.Context(), executor.Async(func(a *executor.Awaiter) int {
			c := executor.Await(a, ln.Accept()).Value
			defer func() { executor.Await(a, c.Close()) }()
			buf := make([]byte, 4096)
			total := 0
			for {
				n := executor.Await(a, c.Read(buf))
				if n.Err != nil || n.Value == 0 {
					return total
				}
				total += n.Value
			}
		}))
		c := executor.Await(a, Connect(r, ln.Addr())).Value
		unix.SetsockoptInt(c.fd, unix.SOL_SOCKET, unix.SO_SNDBUF, 4096)
		w := executor.Await(a, c.WriteAll(payload))
		executor.Await(a, c.Close())
		if w.Err != nil || w.Value != len(payload) {
			return -1
		}
		return executor.Await(a, executor.Future[executor.Result[int]](reader)).Value
	}))
	if err != nil || got != len(payload) {
		t.Fatalf("peer received %d bytes, %v; want %d", got, err, len(payload))
	}
}

// TestMoreOpsThanTheSQHolds: 64 writes at once through a 4-entry SQ. The
// reactor submits early when the SQ fills instead of failing.
func TestMoreOpsThanTheSQHolds(t *testing.T) {
	r, err := NewReactor(4)
	if err != nil {
		t.Skip(err)
	}
	ex := executor.New(executor.WithDriver(r))
	defer func() { ex.Close(); r.Close() }()
	path := filepath.Join(t.TempDir(), "f")
	got, err := executor.BlockOn(ex, executor.Async(func(a *executor.Awaiter) int {
		f := executor.Await(a, Open(r, path, unix.O_CREAT|unix.O_RDWR, 0o644)).Value
		var ws []executor.Future[executor.Result[int]]
		for i := range 64 {
			ws = append(ws, f.WriteAt([]byte{byte('a' + i%26)}, int64(i)))
		}
		total := 0
		for _, w := range executor.Await(a, executor.Join(ws...)) {
			if w.Err != nil {
				return -1
			}
			total += w.Value
		}
		executor.Await(a, f.Close())
		return total
	}))
	if err != nil || got != 64 {
		t.Fatalf("64 one-byte writes through a 4-entry SQ wrote %d, %v", got, err)
	}
}

// TestCQOverflowIsFlushed: more completions than the CQ holds, none
// reaped in between. With FEAT_NODROP the kernel keeps the surplus and
// hands it over once there is room; not one CQE is lost.
func TestCQOverflowIsFlushed(t *testing.T) {
	r := newRing(t, 4) // CQ of 8
	if r.Params().Features&FeatNoDrop == 0 {
		t.Skip("kernel without IORING_FEAT_NODROP")
	}
	const total = 40
	sent := 0
	for sent < total {
		for r.SQSpace() > 0 && sent < total {
			r.NextSQE().PrepNop()
			sent++
		}
		if _, err := r.Submit(0); err != nil && err != unix.EBUSY {
			t.Fatal(err)
		}
	}
	if !r.overflowed() {
		t.Fatalf("%d NOPs into a CQ of %d did not overflow", total, r.CQ().Entries)
	}
	got := 0
	for got < total {
		n := r.Reap(func(CQE) {})
		got += n
		if n == 0 || r.overflowed() {
			if _, err := r.Submit(0); err != nil { // GETEVENTS flushes the overflow list
				t.Fatal(err)
			}
		}
		if n == 0 && r.CQReady() == 0 && !r.overflowed() && got < total {
			t.Fatalf("lost CQEs: reaped %d of %d", got, total)
		}
	}
	if got != total {
		t.Fatalf("reaped %d CQEs, want %d", got, total)
	}
}
