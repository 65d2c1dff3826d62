//go:build linux || darwin

package iouring

import (
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// FallbackRing is the submission/completion API in pure Go, for where
// io_uring is not available: the same SQEs go in, the same CQEs come out,
// and the reactor cannot tell the difference. Each submitted SQE is
// performed by a goroutine of its own with ordinary blocking system calls
// (pread, accept4, ...), which posts a CQE when done — what io_uring's own
// worker threads (io-wq) do for requests that cannot complete inline.
//
// What it cannot do as well: every op costs a goroutine and its system
// calls, and waiting on a socket is a poll(2) loop that looks for a cancel
// every pollSlice, so cancelling a blocked op takes up to that long.
// LINK_TIMEOUT is not supported (the probe says so).
//
// A worker never blocks in a call it cannot be cancelled out of. After
// poll(2) says ready, the call itself is made non-blocking — recv and send
// with MSG_DONTWAIT, read and write with RWF_NOWAIT (Linux 4.14; pipes and
// sockets honour it), accept on a listener put in non-blocking mode —
// and EAGAIN (another worker got there first: four ACCEPTs on one
// listener all wake for one connection) sends the worker back to the
// cancellable wait. A cancel that arrived meanwhile, answered -EALREADY
// because the call was running, takes effect then: every cancel is
// answered in bounded time, and Close never hangs. Regular files are the
// exception: a read that misses the page cache blocks on the disk, as it
// does inside io_uring's own workers, bounded and not cancellable.
//
// Like Ring, a FallbackRing belongs to its executor's goroutine; Wakeup
// and the workers are the exceptions, and meet the executor under mu.
type FallbackRing struct {
	sqes       []SQE
	mask       uint32
	head, tail uint32 // SQEs [head, tail) are handed out and not yet submitted

	mu       sync.Mutex
	cq       []CQE                   // guarded by mu
	inflight map[uint64]*fallbackReq // guarded by mu: for ASYNC_CANCEL
	woken    bool                    // guarded by mu: a Wakeup is pending
	signal   chan struct{}           // capacity 1: "look at cq / woken"
	workers  sync.WaitGroup
	polling  atomic.Int32 // workers inside poll(2) right now (tests wait on it)
	fixed    fbFixed      // registered files and buffers (fallback_fixed.go)

	stats RingStats
}

// fallbackReq is one request on a worker. Its state decides, once, who
// wins between the worker and an ASYNC_CANCEL, with the kernel's answers:
//
//	waiting  → cancelled   by ASYNC_CANCEL: its CQE says 0, ours -ECANCELED
//	waiting  → running     by the worker, just before the system call that
//	                       does the work; a cancel now gets -EALREADY and
//	                       the request completes with its real result
//	running  → waiting     by the worker, when the non-blocking call said
//	                       EAGAIN; a cancel that got -EALREADY meanwhile
//	                       (cancelPending) cancels it now
type fallbackReq struct {
	ring   *FallbackRing
	sqe    SQE
	state  atomic.Int32  // reqWaiting, reqRunning, reqCancelled
	cancel chan struct{} // closed when state becomes reqCancelled

	// cancelPending: an ASYNC_CANCEL came while running. The canceller
	// stores it, then tries waiting → cancelled again; the worker stores
	// waiting, then loads it. Sequentially consistent atomics: at least
	// one of them sees the other's store, and the CAS lets one win.
	cancelPending atomic.Bool
}

const (
	reqWaiting int32 = iota
	reqRunning
	reqCancelled
)

// tryCancel moves a waiting request to cancelled. Any goroutine.
func (r *fallbackReq) tryCancel() int32 {
	if r.cancelNow() {
		return 0
	}
	if r.state.Load() == reqRunning {
		r.cancelPending.Store(true)
		if r.cancelNow() { // it went back to waiting meanwhile
			return 0
		}
		return -int32(unix.EALREADY)
	}
	return -int32(unix.ENOENT)
}

// cancelNow moves waiting to cancelled, once.
func (r *fallbackReq) cancelNow() bool {
	if r.state.CompareAndSwap(reqWaiting, reqCancelled) {
		close(r.cancel)
		return true
	}
	return false
}

// resume is the worker's running → waiting after a call said EAGAIN. It
// reports false if the request is cancelled now.
func (r *fallbackReq) resume() bool {
	r.state.Store(reqWaiting) // only the worker moves it out of running
	if r.cancelPending.Load() {
		r.cancelNow()
	}
	return r.state.Load() != reqCancelled
}

// afterReady, when set (tests only), runs in a worker between poll(2)
// saying ready and the call: the place where several workers woken by
// one readiness race each other.
var afterReady atomic.Pointer[func(Op)]

// retry waits until fd is ready for events, then makes call, which must
// not block; while it says EAGAIN, back to the cancellable wait.
func retry(req *fallbackReq, fd int, events int16, call func() int32) int32 {
	for {
		if res := waitFD(req, fd, events); res != 0 {
			return res
		}
		if h := afterReady.Load(); h != nil {
			(*h)(Op(req.sqe.Opcode))
		}
		res := call()
		if res != -int32(unix.EAGAIN) {
			return res
		}
		if !req.resume() {
			return -int32(unix.ECANCELED)
		}
	}
}

// begin marks the request running unless it was cancelled; the worker
// calls it before the system call that does the work.
func (r *fallbackReq) begin() bool {
	return r.state.CompareAndSwap(reqWaiting, reqRunning) || r.state.Load() == reqRunning
}

// pollSlice bounds how long a worker waits in poll(2) before it looks for
// a cancel.
const pollSlice = 20 * time.Millisecond

// NewFallbackRing returns a fallback ring with room for entries SQEs
// (rounded up to a power of two).
func NewFallbackRing(entries uint32) *FallbackRing {
	n := uint32(1)
	for n < entries {
		n <<= 1
	}
	return &FallbackRing{
		sqes:     make([]SQE, n),
		mask:     n - 1,
		inflight: map[uint64]*fallbackReq{},
		signal:   make(chan struct{}, 1),
	}
}

// fallbackOps are the opcodes a FallbackRing performs.
var fallbackOps = []Op{OpNop, OpRead, OpWrite, OpReadFixed, OpWriteFixed, OpOpenat, OpClose, OpFsync, OpStatx,
	OpAccept, OpConnect, OpRecv, OpSend, OpTimeout, OpAsyncCancel, OpPollAdd}

// Probe reports the opcodes the fallback performs.
func (f *FallbackRing) Probe() *Probe {
	p := &Probe{LastOp: OpMsgRing}
	for _, op := range fallbackOps {
		p.supported[op] = true
	}
	return p
}

// Kind names the implementation.
func (f *FallbackRing) Kind() string { return "fallback" }

// NextSQE returns a zeroed SQE, or nil when the SQ is full.
func (f *FallbackRing) NextSQE() *SQE {
	if f.tail-f.head > f.mask {
		f.stats.SQFull++
		return nil
	}
	s := &f.sqes[f.tail&f.mask]
	*s = SQE{}
	f.tail++
	return s
}

// Pending counts SQEs not yet submitted.
func (f *FallbackRing) Pending() uint32 { return f.tail - f.head }

// Submit starts a worker for each pending SQE, then waits, with wait > 0,
// until that many CQEs are ready or Wakeup is called.
func (f *FallbackRing) Submit(wait uint32) (int, error) {
	f.stats.Enters++
	n := 0
	for ; f.head != f.tail; f.head++ {
		f.start(f.sqes[f.head&f.mask]) // copied: the slot is free once started
		n++
	}
	f.stats.Submitted += uint64(n)
	if wait == 0 {
		return n, nil
	}
	for {
		f.mu.Lock()
		ready, woken := uint32(len(f.cq)), f.woken
		if woken {
			f.woken = false
		}
		f.mu.Unlock()
		if woken {
			f.stats.Wakeups++
		}
		if ready >= wait || woken {
			return n, nil
		}
		<-f.signal
	}
}

// start performs one SQE: at once for NOP and ASYNC_CANCEL, on a worker
// goroutine for the rest.
func (f *FallbackRing) start(s SQE) {
	switch Op(s.Opcode) {
	case OpNop:
		f.post(CQE{UserData: s.UserData})
		return
	case OpAsyncCancel:
		f.mu.Lock()
		target := f.inflight[s.Addr]
		f.mu.Unlock()
		res := -int32(unix.ENOENT)
		if target != nil {
			res = target.tryCancel()
		}
		f.post(CQE{UserData: s.UserData, Res: res})
		return
	}
	if res, ok := f.directSQE(&s); ok {
		f.post(CQE{UserData: s.UserData, Res: res}) // refused, or a CLOSE of a slot (fallback_fixed.go)
		return
	}
	hold, res := f.resolveFixed(&s)
	if res != 0 {
		f.post(CQE{UserData: s.UserData, Res: res})
		return
	}
	req := &fallbackReq{ring: f, sqe: s, cancel: make(chan struct{})}
	f.mu.Lock()
	f.inflight[s.UserData] = req
	f.mu.Unlock()
	f.workers.Add(1)
	go func() {
		defer f.workers.Done()
		res := f.installDirect(&req.sqe, perform(req))
		f.unhold(hold)
		f.mu.Lock()
		delete(f.inflight, s.UserData)
		f.mu.Unlock()
		f.post(CQE{UserData: s.UserData, Res: res})
	}()
}

// post appends a CQE and signals the executor. Any goroutine.
func (f *FallbackRing) post(c CQE) {
	f.mu.Lock()
	f.cq = append(f.cq, c)
	f.mu.Unlock()
	select {
	case f.signal <- struct{}{}:
	default:
	}
}

// Reap hands every ready CQE to fn.
func (f *FallbackRing) Reap(fn func(CQE)) int {
	f.mu.Lock()
	cq := f.cq
	f.cq = nil
	f.mu.Unlock()
	for _, c := range cq {
		fn(c)
	}
	f.stats.Reaped += uint64(len(cq))
	return len(cq)
}

// CQReady counts CQEs ready to reap.
func (f *FallbackRing) CQReady() uint32 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return uint32(len(f.cq))
}

// NeedsEnter is always false: the fallback holds nothing back.
func (f *FallbackRing) NeedsEnter() bool { return false }

// SQ describes the submission queue.
func (f *FallbackRing) SQ() QueueState {
	return QueueState{Entries: f.mask + 1, Head: f.head, Tail: f.tail}
}

// CQ describes the completion queue (unbounded: Entries is its length).
func (f *FallbackRing) CQ() QueueState {
	n := f.CQReady()
	return QueueState{Entries: n, Head: 0, Tail: n}
}

// Stats returns the counters.
func (f *FallbackRing) Stats() RingStats { return f.stats }

// ArmWakeup does nothing: Wakeup needs no request in flight here.
func (f *FallbackRing) ArmWakeup() (*SQE, bool) { return nil, true }

// Wakeup ends a waiting Submit now, or the next one. Any goroutine.
func (f *FallbackRing) Wakeup() {
	f.mu.Lock()
	f.woken = true
	f.mu.Unlock()
	select {
	case f.signal <- struct{}{}:
	default:
	}
}

// Consumed is always false: the fallback posts no CQEs of its own.
func (f *FallbackRing) Consumed(CQE) bool { return false }

// Close cancels what is still running and waits for the workers.
func (f *FallbackRing) Close() error {
	f.mu.Lock()
	for _, req := range f.inflight {
		req.tryCancel()
	}
	f.mu.Unlock()
	f.workers.Wait()
	f.closeFixed()
	return nil
}

// perform runs one request with blocking system calls and returns what
// the CQE's res would be: the result, or -errno.
func perform(req *fallbackReq) int32 {
	s := &req.sqe
	fd := int(s.Fd)
	buf := func() []byte {
		if s.Addr == 0 || s.Len == 0 {
			return nil
		}
		// The reactor pinned this memory and keeps it reachable until our
		// CQE is reaped, exactly as it does for the kernel.
		return unsafe.Slice((*byte)(addrOf(&s.Addr)), s.Len)
	}
	switch Op(s.Opcode) {
	case OpOpenat, OpClose, OpFsync, OpStatx:
		if !req.begin() {
			return -int32(unix.ECANCELED)
		}
	}
	switch Op(s.Opcode) {
	case OpRead:
		return retry(req, fd, unix.POLLIN, func() int32 { return result(readNoWait(fd, buf(), s.Off)) })
	case OpWrite:
		return retry(req, fd, unix.POLLOUT, func() int32 { return result(writeNoWait(fd, buf(), s.Off)) })
	case OpRecv:
		return retry(req, fd, unix.POLLIN, func() int32 {
			n, _, err := unix.Recvfrom(fd, buf(), int(s.OpFlags)|unix.MSG_DONTWAIT)
			return result(n, err)
		})
	case OpSend:
		return retry(req, fd, unix.POLLOUT, func() int32 {
			n, err := unix.SendmsgN(fd, buf(), nil, nil, int(s.OpFlags)|unix.MSG_DONTWAIT)
			return result(n, err)
		})
	case OpOpenat:
		path := unix.BytePtrToString((*byte)(addrOf(&s.Addr)))
		nfd, err := unix.Openat(fd, path, int(s.OpFlags), s.Len)
		return result(nfd, err)
	case OpClose:
		return result(0, unix.Close(fd))
	case OpFsync:
		if s.OpFlags&1 != 0 {
			return result(0, fdatasync(fd))
		}
		return result(0, unix.Fsync(fd))
	case OpStatx:
		path := unix.BytePtrToString((*byte)(addrOf(&s.Addr)))
		return performStat(fd, path, int(s.OpFlags), s.Len, addrOf(&s.Off))
	case OpAccept:
		// accept4 has no per-call MSG_DONTWAIT: the listener itself goes
		// non-blocking (Listen creates it so on the fallback already).
		if err := unix.SetNonblock(fd, true); err != nil {
			return result(0, err)
		}
		return retry(req, fd, unix.POLLIN, func() int32 {
			nfd, sa, err := accept(fd, int(s.OpFlags))
			if err == nil && s.Addr != 0 && s.Off != 0 {
				writeSockaddr(sa, addrOf(&s.Addr), addrOf(&s.Off))
			}
			return result(nfd, err)
		})
	case OpConnect:
		return connectFallback(req, fd, addrOf(&s.Addr), uint32(s.Off))
	case OpPollAdd:
		res := waitFDEvents(req, fd, int16(s.OpFlags))
		if res >= 0 && !req.begin() {
			return -int32(unix.ECANCELED)
		}
		return res
	case OpTimeout:
		ts := (*Timespec)(addrOf(&s.Addr))
		t := time.NewTimer(time.Duration(ts.Sec)*time.Second + time.Duration(ts.Nsec))
		defer t.Stop()
		select {
		case <-t.C:
			if !req.begin() {
				return -int32(unix.ECANCELED)
			}
			return -int32(unix.ETIME)
		case <-req.cancel:
			return -int32(unix.ECANCELED)
		}
	}
	return -int32(unix.EINVAL)
}

// addrOf reads an SQE address field as the pointer it holds. The SQE
// stores addresses as integers (that is the kernel's ABI); the memory they
// point to is Go memory the reactor pinned and keeps reachable until this
// request's CQE is reaped, so turning the integer back into a pointer here
// is safe. It reads the field's bits as a pointer rather than converting a
// uintptr, which is the form the race detector's pointer checks accept.
func addrOf(field *uint64) unsafe.Pointer {
	return *(*unsafe.Pointer)(unsafe.Pointer(field))
}

func result(n int, err error) int32 {
	if err != nil {
		if errno, ok := err.(unix.Errno); ok {
			return -int32(errno)
		}
		return -int32(unix.EIO)
	}
	return int32(n)
}

// waitFD waits until fd is ready for events, or the request is cancelled
// (-ECANCELED). It returns 0 when ready, with the request marked running:
// from here on a cancel no longer stops it.
func waitFD(req *fallbackReq, fd int, events int16) int32 {
	if res := waitFDEvents(req, fd, events); res < 0 {
		return res
	}
	if !req.begin() {
		return -int32(unix.ECANCELED)
	}
	return 0
}

// waitFDEvents polls fd in slices of pollSlice, looking for a cancel
// between slices, and returns the ready events or -errno.
func waitFDEvents(req *fallbackReq, fd int, events int16) int32 {
	return req.ring.waitFDEvents(req, fd, events)
}

func (f *FallbackRing) waitFDEvents(req *fallbackReq, fd int, events int16) int32 {
	for {
		if req.state.Load() == reqCancelled {
			return -int32(unix.ECANCELED)
		}
		pfd := []unix.PollFd{{Fd: int32(fd), Events: events}}
		f.polling.Add(1)
		n, err := unix.Poll(pfd, int(pollSlice/time.Millisecond))
		f.polling.Add(-1)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return result(0, err)
		}
		if n > 0 {
			if pfd[0].Revents&unix.POLLNVAL != 0 {
				return -int32(unix.EBADF)
			}
			return int32(pfd[0].Revents)
		}
	}
}

// connectFallback connects without blocking the worker beyond a poll
// slice: non-blocking connect, wait for writability, read SO_ERROR.
func connectFallback(req *fallbackReq, fd int, addr unsafe.Pointer, addrlen uint32) int32 {
	flags, err := unix.FcntlInt(uintptr(fd), unix.F_GETFL, 0)
	if err != nil {
		return result(0, err)
	}
	if _, err := unix.FcntlInt(uintptr(fd), unix.F_SETFL, flags|unix.O_NONBLOCK); err != nil {
		return result(0, err)
	}
	defer unix.FcntlInt(uintptr(fd), unix.F_SETFL, flags)
	if !req.begin() {
		return -int32(unix.ECANCELED)
	}
	// connect(2), with the address the reactor keeps alive turned back
	// into the form x/sys takes.
	sa := sockaddr(rawPtrAddrPort(addr))
	switch err := unix.Connect(fd, sa); err {
	case nil:
		return 0
	case unix.EINPROGRESS:
	default:
		return result(0, err)
	}
	if res := waitFD(req, fd, unix.POLLOUT); res != 0 {
		return res
	}
	soerr, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_ERROR)
	if err != nil {
		return result(0, err)
	}
	return -int32(soerr)
}

// writeSockaddr stores an accepted peer's address where ACCEPT's addr and
// addrlen pointers say, as the kernel would.
func writeSockaddr(sa unix.Sockaddr, addr, lenPtr unsafe.Pointer) {
	ap := addrPort(sa)
	if !ap.IsValid() {
		return
	}
	p, n := rawSockaddr(ap)
	room := (*uint32)(lenPtr)
	n = min(n, *room)
	copy(unsafe.Slice((*byte)(addr), n), unsafe.Slice((*byte)(p), n))
	*room = n
}
