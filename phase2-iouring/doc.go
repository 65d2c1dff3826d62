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
// # The reactor
//
// Reactor (reactor.go) is the phase-1 executor's Driver made of a
// ring. A future that wants I/O takes an SQE and an entry in the op table
// (step 1: prepare); at the end of the executor's turn everything pending
// goes to the kernel in one io_uring_enter, which also waits for a
// completion when no task is ready (step 2: submit); each CQE is matched to
// its op by user_data, and the op's waker fires (step 3: reap and wake).
// opFuture (opfuture.go) is that life of an operation as one state
// machine; File's methods are opFutures.
//
// # Buffers and the garbage collector
//
// The kernel writes a READ's buffer after the poll that prepared it has
// returned — maybe after the future itself was dropped. Go's collector
// may move or free memory nobody references. So each op pins the memory
// the kernel touches (runtime.Pinner) and keeps it reachable in the op
// table until the op's own CQE arrives, not until the future is dropped:
// cancelling submits IORING_OP_ASYNC_CANCEL and leaves the op "orphaned"
// until the kernel confirms. What the kernel did anyway is accounted for
// (a file opened after the cancel is closed). A reactor not yet closed
// stays reachable (a package-level set), so one forgotten with buffers
// in flight leaks instead of freeing memory under the kernel's writes.
//
// # Buffers belong to the kernel until their CQE
//
// Pinning keeps memory valid; it does not give it back. If the kernel
// wrote the caller's slice, a read dropped by a timeout would return the
// slice to the caller while the kernel may still write it, and the bytes
// would be lost. So the kernel only ever touches memory the runtime owns
// (the choice, and the designs rejected, are in stream_io.go):
//
//   - File.ReadAt and WriteAt go through a buffer of the reactor's pool
//     (bufpool.go), copied at the CQE and returned to the pool at the CQE
//     — an orphan's too;
//   - a TCPStream owns its receive buffer: a Read dropped before its CQE
//     leaves the RECV to the stream, whose next Read returns its bytes
//     first (or adopts the RECV still in flight): no byte is ever lost;
//   - writes send a copy the stream (or the pool) owns.
//
// One memcpy per op, what read(2) does anyway, buys the guarantee.
//
// # When things fail
//
// An io_uring_enter error that retrying cannot cure makes the reactor
// fail for good: Err reports it, the executor (executor.Failer) stops and
// BlockOn returns it, ops in flight fail with it, and their memory stays
// pinned. Using a reactor after Close is ErrClosed, never a fault.
//
// # The fallback ring
//
// Where io_uring is not there — an old kernel, kernel.io_uring_disabled,
// Docker's default seccomp profile, macOS — FallbackRing (fallback.go) takes
// the same SQEs and performs each on a goroutine with ordinary system
// calls, posting the same CQEs. The reactor and every future run unchanged
// on it (the Rings interface, sqe.go). A worker never blocks in a call a
// cancel cannot reach: after poll(2) the call is non-blocking, and EAGAIN
// sends it back to the cancellable wait. NewReactor picks the fallback by
// itself when io_uring is unavailable (io_uring_setup says ENOSYS or
// EPERM) and on macOS — other setup errors are errors — and
// WORKBOOK_RING=fallback forces it; RingKind says which ring runs and why.
//
// # Files by platform
//
// The kernel's ABI and the ring are Linux-only (abi_linux.go,
// ring_linux.go, rings_linux.go, probe_linux.go). Everything else — the
// SQE and CQE, the prep helpers, the reactor, the futures, the fallback —
// builds on Linux and macOS, with the few system-call differences in
// sock_*.go and stat_*.go. Windows has neither: use WSL.
package iouring
