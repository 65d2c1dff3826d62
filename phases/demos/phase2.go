//go:build linux

package demos

import (
	"errors"
	"fmt"
	"os"
	"time"

	"golang.org/x/sys/unix"

	executor "asyncworkbook/phase1-executor"
	iouring "asyncworkbook/phase2-iouring"
	"asyncworkbook/phases/trace"
)

// Phase 2's demos run on the phase-1 executor driven by the io_uring
// reactor of phase2-iouring. Each builds a fresh reactor with
// iouring.NewReactor(64) — the kernel's io_uring when it can, the pure-Go
// fallback ring when io_uring is refused or WORKBOOK_RING=fallback says
// so — works in a temporary directory and on loopback TCP only, and closes
// the executor, then the reactor, then removes its directory. The
// scenarios are built so the answer is the same on both rings; where the
// rings may legitimately differ (who wins a cancel race) the demo accepts
// either outcome and checks that nothing leaked.
//
// Phase 2 is Linux-only: on other systems these demos are not registered.

// env2 is one demo's phase-2 runtime.
type env2 struct {
	r   *iouring.Reactor
	ex  *executor.Executor
	dir string // a fresh temporary directory, removed by close
}

// newEnv2 builds a reactor and an executor driven by it, traced when sink
// is not nil, and a temporary directory.
func newEnv2(sink trace.Sink) (*env2, error) {
	r, err := iouring.NewReactor(64)
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "workbook-p2-")
	if err != nil {
		r.Close()
		return nil, err
	}
	var ex *executor.Executor
	if sink == nil {
		ex = executor.New(executor.WithDriver(r))
	} else {
		ex = executor.New(executor.WithDriver(r), executor.WithSink(sink))
	}
	return &env2{r: r, ex: ex, dir: dir}, nil
}

// close closes the executor first (dropping the futures of tasks still
// pending, which asks the reactor to cancel their I/O), then the reactor
// (which waits for every CQE, so no buffer is still the kernel's), then
// removes the directory.
func (e *env2) close() error {
	e.ex.Close()
	err := e.r.Close()
	return errors.Join(err, os.RemoveAll(e.dir))
}

// run2 runs the future that body builds as the main task, named name, on
// a fresh phase-2 runtime, closes everything, and returns body's error or
// what check says about its output.
func run2[T any](sink trace.Sink, name string, body func(e *env2) executor.Future[T], check func(T) error) (err error) {
	e, err := newEnv2(sink)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, e.close()) }()
	v, err := executor.BlockOn(e.ex, body(e), executor.WithName(name))
	if err != nil {
		return err
	}
	return check(v)
}

// fifo makes a named pipe in the demo's directory and opens it through the
// ring, for reading and writing: a descriptor on which a READ waits until
// somebody writes, as a socket's does, with no network involved. (On
// Linux, opening a FIFO read-write never blocks.)
func (e *env2) fifo(a *executor.Awaiter, name string) (*iouring.File, error) {
	path := e.dir + "/" + name
	if err := unix.Mkfifo(path, 0o600); err != nil {
		return nil, fmt.Errorf("mkfifo: %w", err)
	}
	f := executor.Await(a, iouring.Open(e.r, path, unix.O_RDWR, 0))
	return f.Value, f.Err
}

// drain parks, a millisecond of kernel sleep at a time, until the reactor
// holds no op but the sleep itself: the CQEs of cancelled ops have come
// back and their buffers are free. On the fallback ring a cancelled wait
// takes up to one poll slice (20 ms) to notice.
func drain(a *executor.Awaiter, r *iouring.Reactor) {
	for r.InFlight() > 0 {
		executor.Await(a, iouring.Sleep(r, time.Millisecond))
	}
}

// errorOf is the check for demos whose main task returns an error.
func errorOf(err error) error { return err }
