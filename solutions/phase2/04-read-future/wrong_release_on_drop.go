//go:build wrong && wrong_release_on_drop

// This is a WRONG answer, kept to prove the tests reject it
// (go test -tags wrong,wrong_release_on_drop ./solutions/phase2/04-read-future/ must fail).
//
// The wrong idea: "Drop means this future is going away: cancel the read
// and release everything it holds". Cancelling is only a request: the
// kernel may be writing into the buffer right now, and keeps the right to
// until the op's completion arrives. Unpinning in Drop lets the garbage
// collector free the buffer while the kernel still has its address — the
// kernel then writes into memory that belongs to someone else. The reads
// themselves are right; the test that drops a read in flight and runs the
// collector before the completion finds the buffer freed.

// Package readfuture is exercise phase2/04-read-future.
package readfuture

import (
	"runtime"
	"syscall"
	"unsafe"

	executor "asyncworkbook/phase1-executor"
)

// ReadAt returns a future reading into buf.
func ReadAt(s Submitter, fd int32, buf []byte, off int64) executor.Future[executor.Result[int]] {
	return &readFuture{s: s, fd: fd, buf: buf, off: off}
}

type readFuture struct {
	s       Submitter
	fd      int32
	buf     []byte
	off     int64
	id      uint64
	started bool
	over    bool
	pin     runtime.Pinner
}

func (f *readFuture) Poll(cx *executor.Context) executor.Poll[executor.Result[int]] {
	if !f.started {
		f.pin.Pin(&f.buf[0])
		f.id = f.s.Submit(Request{Op: OpRead, Fd: f.fd, Addr: uintptr(unsafe.Pointer(&f.buf[0])), Len: uint32(len(f.buf)), Off: uint64(f.off)}, cx.WakerFor("read"))
		f.started = true
		return executor.Pending[executor.Result[int]]()
	}
	res, done := f.s.Result(f.id, cx.WakerFor("read"))
	if !done {
		return executor.Pending[executor.Result[int]]()
	}
	f.over = true
	f.pin.Unpin()
	if res < 0 {
		return executor.PollReady(executor.Result[int]{Err: syscall.Errno(-res)})
	}
	return executor.PollReady(executor.Result[int]{Value: int(res)})
}

// Drop cancels the read and releases the buffer at once.
func (f *readFuture) Drop() {
	if !f.started || f.over {
		return
	}
	f.over = true
	f.s.Cancel(f.id, nil)
	f.pin.Unpin() // too early: the kernel may still write into buf
}
