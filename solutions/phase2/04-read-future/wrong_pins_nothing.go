//go:build wrong && wrong_pins_nothing

// This is a WRONG answer, kept to prove the tests reject it
// (go test -tags wrong,wrong_pins_nothing ./solutions/phase2/04-read-future/ must fail).
//
// The wrong idea: "buf is referenced by the future: the garbage collector
// keeps it". Until the future is dropped: then nothing references the
// buffer but the kernel, which holds only a number.

// Package readfuture is exercise phase2/04-read-future: an asynchronous
// ReadAt written by hand, over a submission interface.
package readfuture

import (
	"runtime"
	"syscall"
	"unsafe"

	executor "asyncworkbook/phase1-executor"
)

// ReadAt returns a future that reads up to len(buf) bytes at offset off of
// fd with one OpRead, and yields the count (fewer than len(buf): a short
// read; 0: end of file) or the error the kernel reported.
func ReadAt(s Submitter, fd int32, buf []byte, off int64) executor.Future[executor.Result[int]] {
	return &readFuture{s: s, fd: fd, buf: buf, off: off}
}

type readFuture struct {
	s   Submitter
	fd  int32
	buf []byte
	off int64

	id      uint64
	started bool // submitted
	over    bool // Ready returned, or dropped

	// pin keeps buf's memory alive and in place while the kernel may
	// write it: from Submit to the op's completion, also when the future
	// is dropped before then.
	pin runtime.Pinner
}

func (f *readFuture) Poll(cx *executor.Context) executor.Poll[executor.Result[int]] {
	if !f.started {
		if len(f.buf) == 0 {
			f.over = true
			return executor.PollReady(executor.Result[int]{}) // nothing to read into
		}

		f.id = f.s.Submit(Request{
			Op:   OpRead,
			Fd:   f.fd,
			Addr: uintptr(unsafe.Pointer(&f.buf[0])),
			Len:  uint32(len(f.buf)),
			Off:  uint64(f.off),
		}, cx.WakerFor("read"))
		f.started = true
		return executor.Pending[executor.Result[int]]()
	}
	res, done := f.s.Result(f.id, cx.WakerFor("read"))
	if !done {
		return executor.Pending[executor.Result[int]]() // the submitter holds our newest waker
	}
	f.over = true
	f.pin.Unpin() // the kernel is done with buf
	if res < 0 {
		return executor.PollReady(executor.Result[int]{Err: syscall.Errno(-res)})
	}
	return executor.PollReady(executor.Result[int]{Value: int(res)})
}

// Drop cancels a read in flight. The buffer stays pinned until the
// kernel's completion says it is done with it.
func (f *readFuture) Drop() {
	if !f.started || f.over {
		return
	}
	f.over = true
	if _, done := f.s.Result(f.id, executor.Waker{}); done {
		f.pin.Unpin() // it completed: the kernel is done with buf already
		return
	}
	pin := &f.pin
	f.buf = nil // nothing else needs it now?
	f.s.Cancel(f.id, func(int32) { pin.Unpin() })
}
