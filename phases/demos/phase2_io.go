//go:build linux

package demos

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"

	executor "asyncworkbook/phase1-executor"
	iouring "asyncworkbook/phase2-iouring"
	"asyncworkbook/phases/trace"
)

// The first phase-2 demos: what asynchronous I/O looks like from a task,
// how a completion differs from readiness, the rings' round trip, and
// batching.

func init() {
	Register(Demo{
		ID:    "p2-file-and-socket",
		Title: "Write a file and a socket at once",
		About: "main opens a file and connects to a small server task, then " +
			"writes to both and awaits both with Join2. Watch the WRITE " +
			"and the SEND be prepared in one poll and go to the kernel in " +
			"one submitted event; the two completions wake main.",
		Run: fileAndSocket,
	})
	Register(Demo{
		ID:    "p2-completion-read",
		Title: "A read that waits in the kernel",
		About: "reader asks for a READ on an empty pipe before anything " +
			"was written; writer then WRITEs to it. Nobody polls for " +
			"readiness and nobody retries: the READ's CQE arrives with " +
			"the bytes already in reader's buffer.",
		Run: completionRead,
	})
	Register(Demo{
		ID:    "p2-ring-round-trip",
		Title: "One request at a time through the rings",
		About: "main opens a file, writes it, reads it back and closes it: " +
			"four requests, one after the other. Follow each user_data " +
			"from sqe-prepared to cqe-reaped; the op table's slot 0 is " +
			"reused each time, with its generation (the high half) bumped.",
		Run: ringRoundTrip,
	})
	Register(Demo{
		ID:    "p2-batch-reads",
		Title: "Eight reads, one io_uring_enter",
		About: "main reads eight blocks of a file with Join: eight READs " +
			"are prepared in one poll and submitted by one enter " +
			"(count=8). On io_uring " +
			"the eight CQEs are reaped in a row: only the first wake " +
			"queues main, the rest are coalesced.",
		Run: batchReads,
	})
}

// fileAndSocket is the seed's example: a file write and a socket write in
// flight at the same time.
func fileAndSocket(sink trace.Sink) error {
	return run2(sink, "main", func(e *env2) executor.Future[error] {
		return executor.Async(func(a *executor.Awaiter) error {
			ln, err := iouring.Listen(e.r, "127.0.0.1:0")
			if err != nil {
				return err
			}
			defer ln.Close()
			server := executor.SpawnLocal(a.Context(), executor.Async(func(a *executor.Awaiter) string {
				c := executor.Await(a, ln.Accept())
				if c.Err != nil {
					return c.Err.Error()
				}
				buf := make([]byte, 64)
				n := executor.Await(a, c.Value.Read(buf))
				executor.Await(a, c.Value.Close())
				return string(buf[:n.Value])
			}), executor.WithName("server"))

			f := executor.Await(a, iouring.Open(e.r, filepath.Join(e.dir, "log"), unix.O_CREAT|unix.O_WRONLY, 0o644))
			if f.Err != nil {
				return f.Err
			}
			conn := executor.Await(a, iouring.Connect(e.r, ln.Addr()))
			if conn.Err != nil {
				return conn.Err
			}
			both := executor.Await(a, executor.Join2(
				f.Value.WriteAt([]byte("to the file"), 0),
				conn.Value.WriteAll([]byte("to the socket")),
			))
			executor.Await(a, f.Value.Close())
			executor.Await(a, conn.Value.Close())
			got := executor.Await[executor.Result[string]](a, server)
			if err := errors.Join(both.A.Err, both.B.Err, got.Err); err != nil {
				return err
			}
			if both.A.Value != 11 || both.B.Value != 13 || got.Value != "to the socket" {
				return fmt.Errorf("wrote %d and %d bytes, server read %q", both.A.Value, both.B.Value, got.Value)
			}
			return nil
		})
	}, errorOf)
}

// completionRead: a READ submitted before there is anything to read.
func completionRead(sink trace.Sink) error {
	return run2(sink, "main", func(e *env2) executor.Future[string] {
		return executor.Async(func(a *executor.Awaiter) string {
			pipe, err := e.fifo(a, "pipe")
			if err != nil {
				return err.Error()
			}
			defer func() { executor.Await(a, pipe.Close()) }()
			cx := a.Context()
			reader := executor.SpawnLocal(cx, executor.Async(func(a *executor.Awaiter) string {
				buf := make([]byte, 16)
				n := executor.Await(a, pipe.ReadAt(buf, 0))
				if n.Err != nil {
					return n.Err.Error()
				}
				return string(buf[:n.Value])
			}), executor.WithName("reader"))
			writer := executor.SpawnLocal(cx, executor.Async(func(a *executor.Awaiter) int {
				return executor.Await(a, pipe.WriteAt([]byte("hello"), 0)).Value
			}), executor.WithName("writer"))
			got := executor.Await[executor.Result[string]](a, reader)
			executor.Await[executor.Result[int]](a, writer)
			return got.Value
		})
	}, want("hello"))
}

// ringRoundTrip: four requests, one at a time.
func ringRoundTrip(sink trace.Sink) error {
	return run2(sink, "main", func(e *env2) executor.Future[string] {
		return executor.Async(func(a *executor.Awaiter) string {
			f := executor.Await(a, iouring.Open(e.r, filepath.Join(e.dir, "data"), unix.O_CREAT|unix.O_RDWR, 0o644))
			if f.Err != nil {
				return f.Err.Error()
			}
			if w := executor.Await(a, f.Value.WriteAt([]byte("round trip"), 0)); w.Err != nil {
				return w.Err.Error()
			}
			buf := make([]byte, 32)
			n := executor.Await(a, f.Value.ReadAt(buf, 0))
			executor.Await(a, f.Value.Close())
			if n.Err != nil {
				return n.Err.Error()
			}
			return string(buf[:n.Value])
		})
	}, want("round trip"))
}

// batchReads: eight READs in one poll, so in one enter.
func batchReads(sink trace.Sink) error {
	return run2(sink, "main", func(e *env2) executor.Future[error] {
		return executor.Async(func(a *executor.Awaiter) error {
			return readBlocks(a, e, (*iouring.File).ReadAt)
		})
	}, errorOf)
}

// readBlocks writes a file of eight 512-byte blocks (block i full of
// 'a'+i) with plain Go — only the reads are the point — then reads every
// block at once with read, in one poll, and checks each.
func readBlocks(a *executor.Awaiter, e *env2, read func(*iouring.File, []byte, int64) executor.Future[executor.Result[int]]) error {
	const blocks, size = 8, 512
	path := filepath.Join(e.dir, "blocks")
	var data []byte
	for i := range blocks {
		data = append(data, bytes.Repeat([]byte{byte('a' + i)}, size)...)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return err
	}
	f := executor.Await(a, iouring.Open(e.r, path, unix.O_RDONLY, 0))
	if f.Err != nil {
		return f.Err
	}
	defer func() { executor.Await(a, f.Value.Close()) }()
	bufs := make([][]byte, blocks)
	reads := make([]executor.Future[executor.Result[int]], blocks)
	for i := range reads {
		bufs[i] = make([]byte, size)
		reads[i] = read(f.Value, bufs[i], int64(i*size))
	}
	for i, r := range executor.Await(a, executor.Join(reads...)) {
		if r.Err != nil {
			return r.Err
		}
		if r.Value != size || bufs[i][0] != byte('a'+i) {
			return fmt.Errorf("block %d: read %d bytes starting %q", i, r.Value, bufs[i][:1])
		}
	}
	return nil
}
