package readfuture

// Everything in this file is given: the submission interface your future
// talks to — the op table and the ring of the phase-2 reactor, reduced to
// three calls. Your part is in read.go.

import executor "asyncworkbook/phase1-executor"

// Opcode is an io_uring operation (the kernel's numbers).
type Opcode uint8

// The opcodes of this exercise.
const (
	OpRead Opcode = 22 // IORING_OP_READ: pread(2)
)

// Request is what an SQE tells the kernel. The kernel sees numbers only:
// Addr is an address, not a Go reference, so it keeps nothing alive.
type Request struct {
	Op   Opcode
	Fd   int32
	Addr uintptr // the buffer's first byte: uintptr(unsafe.Pointer(&buf[0]))
	Len  uint32  // the buffer's length
	Off  uint64  // the file offset
}

// Submitter starts operations and reports their results. It belongs to
// the executor's goroutine, like the reactor: call it from Poll and Drop.
type Submitter interface {
	// Submit sends req to the kernel and returns the op's id. When the
	// op's completion arrives, w is fired (once). From Submit until that
	// completion the kernel may read or write the memory at req.Addr: it
	// must stay alive and in place all that time — the caller's job.
	Submit(req Request, w executor.Waker) (id uint64)

	// Result returns the op's result once its completion has arrived
	// (done true) — a count of bytes, or a negated errno such as
	// -EBADF — and the op is then over: its id is no longer valid.
	// Before the completion: 0, false, and w replaces the waker to fire
	// at the completion. Pass the waker of the poll you are in: the
	// future may have moved to another task since Submit (into a Select,
	// a Join), and only the newest waker wakes the task that waits now.
	Result(id uint64, w executor.Waker) (res int32, done bool)

	// Cancel abandons an op nobody will collect. If it is still in
	// flight, the kernel is asked to cancel it; the kernel answers with
	// the op's completion later — -ECANCELED, or the real result if the
	// op finished first — and orphan, if not nil, is called with that
	// result then (the memory at Addr is the kernel's until that moment).
	// If the op's completion has already arrived, there is nothing to
	// cancel: Cancel forgets the op and its result, and orphan is never
	// called (call Result first if the result matters). After Cancel the
	// op's waker is never fired.
	Cancel(id uint64, orphan func(res int32))
}
