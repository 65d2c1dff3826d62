//go:build linux

package iouring

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	executor "asyncworkbook/phase1-executor"
)

// TestRefusedSetupFallsBackAndSaysWhy: where io_uring_setup fails (here:
// EPERM, as under Docker's default seccomp profile), NewReactor runs the
// pure-Go ring and RingKind says why.
func TestRefusedSetupFallsBackAndSaysWhy(t *testing.T) {
	if os.Getenv("WORKBOOK_RING") != "" {
		t.Skip("WORKBOOK_RING chooses the ring for this run")
	}
	setupHook = func(uint32, uint32) (*Ring, error) { return nil, &SetupError{Errno: unix.EPERM} }
	defer func() { setupHook = Setup }()
	r, err := NewReactor(32)
	if err != nil {
		t.Fatalf("NewReactor with io_uring refused: %v; want the fallback", err)
	}
	defer r.Close()
	kind := r.RingKind()
	if !strings.HasPrefix(kind, "fallback ring:") || !strings.Contains(kind, "seccomp") {
		t.Fatalf("RingKind = %q; want the fallback and the reason (EPERM: seccomp or io_uring_disabled)", kind)
	}
	// And it works: a file written and read back through the fallback.
	ex := executor.New(executor.WithDriver(r))
	defer ex.Close()
	path := filepath.Join(t.TempDir(), "f")
	got, err := executor.BlockOn(ex, executor.Async(func(a *executor.Awaiter) string {
		f := executor.Await(a, Open(r, path, unix.O_CREAT|unix.O_RDWR, 0o644)).Value
		executor.Await(a, f.WriteAt([]byte("fallback"), 0))
		buf := make([]byte, 16)
		n := executor.Await(a, f.ReadAt(buf, 0)).Value
		executor.Await(a, f.Close())
		return string(buf[:n])
	}))
	if err != nil || got != "fallback" {
		t.Fatalf("round trip on the fallback = %q, %v", got, err)
	}
}

func TestUnknownRingChoiceIsAClearError(t *testing.T) {
	t.Setenv("WORKBOOK_RING", "epoll")
	if _, err := NewReactor(8); err == nil || !strings.Contains(err.Error(), "io_uring or fallback") {
		t.Fatalf("NewReactor with WORKBOOK_RING=epoll: %v; want an error naming the choices", err)
	}
}
