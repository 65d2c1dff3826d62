package cancelaccept

// Everything in this file is given: the submission interface your future
// talks to — the reactor's op table and ring reduced to a few calls.
// Your part is in accept.go.

import executor "asyncworkbook/phase1-executor"

// Opcode is an io_uring operation (the kernel's numbers).
type Opcode uint8

// The opcodes of this exercise.
const (
	OpAccept Opcode = 13 // IORING_OP_ACCEPT: accept4(2)
)

// Request is what an SQE tells the kernel.
type Request struct {
	Op Opcode
	Fd int32 // for OpAccept: the listening socket
}

// Submitter starts operations and reports their results. It belongs to
// the executor's goroutine, like the reactor: call it from Poll and Drop.
type Submitter interface {
	// Submit sends req to the kernel and returns the op's id. When the
	// op's completion arrives, w is fired (once).
	Submit(req Request, w executor.Waker) (id uint64)

	// Result returns the op's result once its completion has arrived
	// (done true) — for OpAccept the new connection's descriptor, or a
	// negated errno such as -EMFILE — and the op is then over: its id is
	// no longer valid. Before the completion: 0, false, and w replaces
	// the waker to fire at the completion. Pass the waker of the poll you
	// are in: the future may have moved to another task since Submit
	// (into a Select, a Join), and only the newest waker wakes the task
	// that waits now.
	Result(id uint64, w executor.Waker) (res int32, done bool)

	// Cancel abandons an op nobody will collect. If it is still in
	// flight, the kernel is asked to cancel it; the kernel answers with
	// the op's completion later — -ECANCELED, or the real result if the
	// op finished first — and orphan, if not nil, is called with that
	// result then. If the op's completion has already arrived, there is
	// nothing to cancel: Cancel forgets the op and its result, and orphan
	// is never called (call Result first if the result matters). After
	// Cancel the op's waker is never fired.
	Cancel(id uint64, orphan func(res int32))

	// CloseFD closes a descriptor, as close(2).
	CloseFD(fd int32)
}
