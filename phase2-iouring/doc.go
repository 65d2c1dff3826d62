// Package iouring is phase 2 of the workbook: asynchronous I/O over
// io_uring, written from the system calls up with golang.org/x/sys/unix —
// no cgo, no io_uring library.
//
// # Readiness and completion
//
// epoll, and Go's own netpoller on top of it, tell you when a descriptor
// is *ready*: you then make the read(2) yourself, and it does not block.
// io_uring tells you when an operation is *complete*: you describe the
// read — descriptor, buffer, length, offset — in a submission queue entry
// (SQE), the kernel performs it, and a completion queue entry (CQE)
// carries the result back. The buffer belongs to the kernel in between,
// which is the whole difficulty under a moving, collecting runtime like
// Go's.
//
// # The rings
//
// io_uring_setup(2) returns a descriptor and the layout of three regions
// we mmap (Ring, ring_linux.go): the SQ ring of indexes, the SQE array,
// and the CQ ring of CQEs. We write SQEs and advance the SQ tail; the
// kernel consumes them and advances the SQ head. The kernel writes CQEs
// and advances the CQ tail; we copy them out and advance the CQ head. The
// indexes are shared memory, read and written with atomics (see Ring for
// the ordering each one needs). io_uring_enter(2) submits everything
// pending in one system call and, if asked, waits for completions — so a
// loop turn of the executor costs one system call however many operations
// it starts (BenchmarkNop shows what that batching buys).
//
// # What the kernel supports
//
// Each opcode arrived in some kernel version (opcode.go lists them);
// Ring.Probe asks the running kernel (IORING_REGISTER_PROBE) and Require
// turns a missing one into a clear error instead of a mysterious -EINVAL.
//
// This phase is being built in steps: the ring and its prep helpers are
// here; the reactor (the phase-1 Driver that parks in io_uring_enter and
// wakes the tasks whose CQEs arrive), the async file, TCP and timer
// futures, cancellation, and the pure-Go fallback ring come next.
package iouring
