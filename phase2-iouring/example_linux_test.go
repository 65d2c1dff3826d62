//go:build linux

package iouring_test

import (
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"

	executor "asyncworkbook/phase1-executor"
	iouring "asyncworkbook/phase2-iouring"
)

// The seed's example, literally: write to a file and to a TCP server at
// the same time, and wait for both. Join2 polls both futures in one poll,
// so both SQEs go to the kernel in the same io_uring_enter.
func Example_fileAndSocketTogether() {
	r, err := iouring.NewReactor(64)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer r.Close()
	ex := executor.New(executor.WithDriver(r))
	defer ex.Close()

	dir, _ := os.MkdirTemp("", "seed")
	defer os.RemoveAll(dir)
	ln, err := iouring.Listen(r, "127.0.0.1:0")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer ln.Close()

	out, err := executor.BlockOn(ex, executor.Async(func(a *executor.Awaiter) string {
		// A tiny server that reads what arrives.
		server := executor.SpawnLocal(a.Context(), executor.Async(func(a *executor.Awaiter) string {
			c := executor.Await(a, ln.Accept()).Value
			buf := make([]byte, 64)
			n := executor.Await(a, c.Read(buf)).Value
			executor.Await(a, c.Close())
			return string(buf[:n])
		}))

		f := executor.Await(a, iouring.Open(r, filepath.Join(dir, "log"), unix.O_CREAT|unix.O_WRONLY, 0o644)).Value
		conn := executor.Await(a, iouring.Connect(r, ln.Addr())).Value

		both := executor.Await(a, executor.Join2(
			f.WriteAt([]byte("to the file"), 0),
			conn.WriteAll([]byte("to the socket")),
		))
		executor.Await(a, f.Close())
		executor.Await(a, conn.Close())
		got := executor.Await(a, executor.Future[executor.Result[string]](server)).Value
		return fmt.Sprintf("file: %d bytes, socket: %d bytes, server read %q", both.A.Value, both.B.Value, got)
	}))
	fmt.Println(out, err)
	// Output: file: 11 bytes, socket: 13 bytes, server read "to the socket" <nil>
}
