//go:build linux

package iouring

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	executor "asyncworkbook/phase1-executor"
	"asyncworkbook/phases/trace"
)

// Tests for issue 7, part 1: the reactor's bookkeeping (user_data, fatal
// errors, use after Close, lengths, setup errors, its own SQEs traced).

// TestUserDataNeverCollidesNearTheGenerationWrap: slot 1's generation
// starts just below 2³¹; the LIFO free list hands slot 1 to every op. With
// gen<<32|idx the op's user_data reaches 1<<63|1, the eventfd READ's, and
// its CQE is swallowed: the task hangs. Every op must complete and no op's
// user_data may have the reserved top bit.
func TestUserDataNeverCollidesNearTheGenerationWrap(t *testing.T) {
	ex, r, rec := newRuntime(t)
	r.ops = make([]op, 4)
	for i := range r.ops {
		r.ops[i].gen = 1<<31 - 3
	}
	r.free = []uint32{3, 2, 0, 1} // LIFO: slot 1 first, and again after each op
	pipe, w := newPipe(t, r)
	const rounds = 8
	got, err := executor.BlockOn(ex, executor.Async(func(a *executor.Awaiter) int {
		n := 0
		for range rounds {
			if _, err := unix.Write(w, []byte("x")); err != nil {
				return -1
			}
			res := executor.Await(a, pipe.ReadAt(make([]byte, 1), -1))
			if res.Err != nil {
				return -2
			}
			n += res.Value
		}
		return n
	}))
	if err != nil || got != rounds {
		t.Fatalf("read %d bytes, %v; want %d", got, err, rounds)
	}
	for _, e := range rec.Events() {
		if e.Kind == trace.SQEPrepared && e.Op == "READ" && e.FD == int32(pipe.fd) && e.UserData>>63 != 0 {
			t.Fatalf("an op's user_data has the reserved top bit: %s", e)
		}
	}
}

// TestExecutorOnAClosedReactorFailsWithErrClosed: once the reactor is
// closed its rings are unmapped. Ops and parking then fail with ErrClosed;
// nothing touches the unmapped memory (which would be a SIGSEGV).
func TestExecutorOnAClosedReactorFailsWithErrClosed(t *testing.T) {
	r, err := NewReactor(8)
	if err != nil {
		t.Skip(err)
	}
	ex := executor.New(executor.WithDriver(r))
	defer ex.Close()
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	pipe := &File{r: r, fd: 0, name: "stdin"}
	res, err := executor.BlockOn(ex, pipe.ReadAt(make([]byte, 8), 0))
	if err != nil || !errors.Is(res.Err, ErrClosed) {
		t.Fatalf("read on a closed reactor = %v, %v; want ErrClosed", res.Err, err)
	}
	// A task that parks: the executor asks the closed reactor to wait.
	_, err = executor.BlockOn(ex, executor.PollFn(func(cx *executor.Context) executor.Poll[int] {
		_ = cx.Waker()
		return executor.Pending[int]()
	}))
	if !errors.Is(err, ErrClosed) {
		t.Fatalf("parking on a closed reactor: BlockOn = %v; want ErrClosed", err)
	}
}

// TestLengthsAreClampedToTheKernelMaximum: a buffer longer than 4 GiB used
// to wrap the SQE's 32-bit length (2³² → 0: a read of "end of file").
func TestLengthsAreClampedToTheKernelMaximum(t *testing.T) {
	for _, c := range []struct{ n, want int }{
		{0, 0}, {1, 1}, {MaxIO, MaxIO}, {MaxIO + 1, MaxIO}, {1 << 32, MaxIO}, {1<<32 + 5, MaxIO},
	} {
		if got := ioLen(c.n); int(got) != c.want {
			t.Errorf("ioLen(%d) = %d, want %d", c.n, got, c.want)
		}
	}
	ex, r, _ := newRuntime(t)
	path := filepath.Join(t.TempDir(), "small")
	if err := os.WriteFile(path, []byte("hello"), 0o644); err != nil {
		t.Fatal(err)
	}
	// 4 GiB of address space, mapped lazily outside the Go heap (no 4 GiB
	// to zero); the read touches five bytes of it.
	buf, err := unix.Mmap(-1, 0, 1<<32, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS|unix.MAP_NORESERVE)
	if err != nil {
		t.Skip("cannot map 4 GiB:", err)
	}
	defer unix.Munmap(buf)
	n, err := executor.BlockOn(ex, executor.Async(func(a *executor.Awaiter) int {
		f := executor.Await(a, Open(r, path, unix.O_RDONLY, 0))
		if f.Err != nil {
			return -1
		}
		defer func() { executor.Await(a, f.Value.Close()) }()
		return executor.Await(a, f.Value.ReadAt(buf, 0)).Value
	}))
	if err != nil || n != 5 || string(buf[:5]) != "hello" {
		t.Fatalf("4 GiB read of a 5-byte file = %d, %v; want 5", n, err)
	}
}

// TestOnlyUnavailableIoUringFallsBack: ENOSYS and EPERM mean io_uring is
// not there (old kernel, io_uring_disabled, seccomp): use the fallback.
// Every other setup error — bad arguments above all — is an error.
func TestOnlyUnavailableIoUringFallsBack(t *testing.T) {
	if _, err := NewReactor(0); err == nil {
		t.Fatal("NewReactor(0) succeeded; want an error about the entries")
	}
	if _, err := NewReactor(MaxEntries + 1); err == nil {
		t.Fatal("NewReactor(MaxEntries+1) succeeded; want an error")
	}
	if os.Getenv("WORKBOOK_RING") != "" {
		return // the rest is about the automatic choice
	}
	defer func() { setupHook = Setup }()
	for _, c := range []struct {
		errno    unix.Errno
		fallback bool
	}{{unix.ENOSYS, true}, {unix.EPERM, true}, {unix.EINVAL, false}, {unix.ENOMEM, false}, {unix.EMFILE, false}} {
		setupHook = func(uint32, uint32) (*Ring, error) { return nil, &SetupError{Errno: c.errno} }
		r, err := NewReactor(8)
		switch {
		case c.fallback && err != nil:
			t.Errorf("setup %v: NewReactor = %v; want the fallback", c.errno, err)
		case !c.fallback && err == nil:
			t.Errorf("setup %v: NewReactor fell back (%s); want the error", c.errno, r.RingKind())
		case !c.fallback && !errors.Is(err, c.errno):
			t.Errorf("setup %v: NewReactor = %v; want it to wrap %v", c.errno, err, c.errno)
		}
		if r != nil {
			r.Close()
		}
	}
}

// TestReactorsOwnSQEsAreTraced: the eventfd READ, the ASYNC_CANCELs and
// the LINK_TIMEOUTs appear as sqe-prepared like every op, so for every
// user_data the trace holds as many SQEs as CQEs; op-cancelled carries
// the cancelled op's descriptor.
func TestReactorsOwnSQEsAreTraced(t *testing.T) {
	r, err := NewReactor(64)
	if err != nil {
		t.Skip(err)
	}
	rec := trace.NewRecorder(1 << 14)
	ex := executor.New(executor.WithDriver(r), executor.WithSink(rec))
	pipe, _ := newPipe(t, r)
	wake := make(chan struct{})
	_, err = executor.BlockOn(ex, executor.Async(func(a *executor.Awaiter) int {
		executor.Await(a, executor.Select(pipe.ReadAt(make([]byte, 4), -1), executor.Ready(executor.Result[int]{})))
		// Woken from another goroutine: the executor parks on the eventfd.
		polled := false
		executor.Await(a, executor.PollFn(func(cx *executor.Context) executor.Poll[int] {
			if polled {
				return executor.PollReady(0)
			}
			polled = true
			w := cx.Waker()
			go func() { <-wake; w.Wake() }()
			close(wake)
			return executor.Pending[int]()
		}))
		return 0
	}))
	if err != nil {
		t.Fatal(err)
	}
	ex.Close()
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	sqes, cqes := map[uint64]int{}, map[uint64]int{}
	cancelFD, cancelledCQEFD := int32(-2), int32(-2)
	var cancelledUD uint64
	for _, e := range rec.Events() {
		switch e.Kind {
		case trace.SQEPrepared:
			sqes[e.UserData]++
		case trace.CQEReaped:
			cqes[e.UserData]++
			if e.UserData == cancelledUD {
				cancelledCQEFD = e.FD
			}
		case trace.OpCancelled:
			cancelFD, cancelledUD = e.FD, e.UserData
		}
	}
	if cancelledCQEFD != int32(pipe.fd) {
		t.Errorf("the cancelled op's CQE has fd %d, want the pipe's %d", cancelledCQEFD, pipe.fd)
	}
	for ud, n := range cqes {
		if sqes[ud] != n {
			t.Errorf("user_data %#x: %d SQEs traced, %d CQEs:%s", ud, sqes[ud], n, dumpTrace(rec))
		}
	}
	if cancelFD != int32(pipe.fd) {
		t.Errorf("op-cancelled fd = %d, want the pipe's %d", cancelFD, pipe.fd)
	}
	if r.RingKind() == "io_uring" && sqes[udEventfd] == 0 {
		t.Errorf("no eventfd READ traced:%s", dumpTrace(rec))
	}
}

// TestForgottenReactorWithPinnedBuffersIsNotCollected: a reactor dropped
// without Close while a READ is in flight must not be collected with its
// Pinners (the runtime panics, "found leaking pinned pointer", and the
// buffer would be reused under the kernel's pending write). In a child
// process: the failure is a crash.
func TestForgottenReactorWithPinnedBuffersIsNotCollected(t *testing.T) {
	if !inChild(t) {
		runChild(t)
		return
	}
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
		childFail(err.Error())
	}
	func() {
		r, err := NewReactor(8)
		if err != nil {
			childDone("skip: " + err.Error())
		}
		ex := executor.New(executor.WithDriver(r))
		pipe := &File{r: r, fd: p[0], name: "pipe"}
		_, _ = executor.BlockOn(ex, executor.Async(func(a *executor.Awaiter) int {
			executor.Spawn(ex, pipe.ReadAt(make([]byte, 64), -1)).Detach()
			executor.Await(a, executor.YieldNow())
			executor.Await(a, executor.YieldNow())
			return 0
		}))
		// ex and r are forgotten here, the READ still in flight.
	}()
	for range 5 {
		runtime.GC()
	}
	childDone("survived GC")
}

// TestFailingEnterStopsTheExecutorWithItsError: in a child process, a
// seccomp filter denies io_uring_enter after the ring is set up. The
// executor used to spin at 100% forever; now BlockOn returns the error
// promptly, and the reactor reports it.
func TestFailingEnterStopsTheExecutorWithItsError(t *testing.T) {
	if !inChild(t) {
		out := runChild(t)
		if strings.Contains(out, "skip:") {
			t.Skip(out)
		}
		return
	}
	r, err := NewReactor(8)
	if err != nil {
		childDone("skip: " + err.Error())
	}
	if r.RingKind() != "io_uring" {
		childDone("skip: the fallback ring makes no io_uring_enter to deny")
	}
	ex := executor.New(executor.WithDriver(r))
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
		childFail(err.Error())
	}
	pipe := &File{r: r, fd: p[0], name: "pipe"}
	if err := denyIoUringEnter(); err != nil {
		childFail("seccomp: " + err.Error())
	}
	res, err := executor.BlockOn(ex, pipe.ReadAt(make([]byte, 8), -1))
	if !errors.Is(err, unix.EPERM) {
		childFail("BlockOn = " + errString(err) + ", read " + errString(res.Err) + "; want EPERM")
	}
	if !errors.Is(r.Err(), unix.EPERM) {
		childFail("reactor Err = " + errString(r.Err()))
	}
	// Every op that was in flight has failed with it (its memory pinned).
	for i := range r.ops {
		if r.ops[i].state == opInFlight {
			childFail("an op is still in flight after the failure")
		}
	}
	// A new op fails with the same error, at once.
	res, err = executor.BlockOn(ex, pipe.ReadAt(make([]byte, 8), -1))
	if err == nil && !errors.Is(res.Err, unix.EPERM) {
		childFail("op after the failure: " + errString(res.Err))
	}
	// Close cannot drain a ring it cannot enter: it says so at once, and
	// leaves the in-flight memory pinned and reachable (no GC crash).
	ex.Close()
	if err := r.Close(); err == nil {
		childFail("Close of a failed ring with ops in flight returned nil")
	}
	for range 3 {
		runtime.GC()
	}
	childDone("failed promptly: " + r.Err().Error())
}

func errString(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}

// denyIoUringEnter installs, for every thread of the process, a seccomp
// filter making io_uring_enter(2) fail with EPERM. It cannot be undone:
// child processes only.
func denyIoUringEnter() error {
	// seccomp(2) needs no_new_privs (or CAP_SYS_ADMIN): prctl(2).
	if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
		return err
	}
	// A classic BPF program over struct seccomp_data (nr at offset 0):
	//	ld  [0]            ; the system call number
	//	jeq #io_uring_enter, deny, allow
	//	allow: ret #ALLOW
	//	deny:  ret #ERRNO(EPERM)
	const (
		ldAbsW = 0x20 // BPF_LD | BPF_W | BPF_ABS
		jeqK   = 0x15 // BPF_JMP | BPF_JEQ | BPF_K
		retK   = 0x06 // BPF_RET | BPF_K
	)
	prog := []unix.SockFilter{
		{Code: ldAbsW, K: 0},
		{Code: jeqK, Jt: 1, Jf: 0, K: unix.SYS_IO_URING_ENTER},
		{Code: retK, K: unix.SECCOMP_RET_ALLOW},
		{Code: retK, K: unix.SECCOMP_RET_ERRNO | uint32(unix.EPERM)},
	}
	fprog := unix.SockFprog{Len: uint16(len(prog)), Filter: &prog[0]}
	// TSYNC: every thread of the process, not just this one (the
	// executor's goroutine may run on any of them).
	_, _, errno := unix.Syscall(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER,
		unix.SECCOMP_FILTER_FLAG_TSYNC, uintptr(unsafe.Pointer(&fprog)))
	runtime.KeepAlive(prog)
	if errno != 0 {
		return errno
	}
	return nil
}

// fullRing is a FallbackRing whose SQ stays full while full is set, even
// after a submit (as when io_uring_enter says EBUSY: the kernel takes no
// SQE until the CQ is reaped). It records the waits it was asked for.
type fullRing struct {
	*FallbackRing
	full  bool
	waits []uint32
}

func (f *fullRing) NextSQE() *SQE {
	if f.full {
		return nil
	}
	return f.FallbackRing.NextSQE()
}

func (f *fullRing) ArmWakeup() (*SQE, bool) {
	if f.full {
		return nil, false // like uringRings with no room for the eventfd READ
	}
	return f.FallbackRing.ArmWakeup()
}

func (f *fullRing) Submit(wait uint32) (int, error) {
	f.waits = append(f.waits, wait)
	return f.FallbackRing.Submit(wait)
}

// TestParkNeverWaitsWithoutItsWakeupArmed: when the SQ has no room for
// the wakeup request (a full SQ the kernel will not drain: EBUSY), Park
// must not wait in the kernel — nobody could cut that wait short, and a
// Spawn from another goroutine would be lost until some completion.
func TestParkNeverWaitsWithoutItsWakeupArmed(t *testing.T) {
	fr := &fullRing{FallbackRing: NewFallbackRing(4), full: true}
	r := register(&Reactor{ring: fr, why: "test", probe: fr.Probe()})
	defer r.Close()
	done := make(chan string, 1)
	go func() { done <- r.Park() }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		r.Unpark()
		<-done
		t.Fatal("Park waited without a wakeup armed")
	}
	for _, w := range fr.waits {
		if w != 0 {
			t.Fatalf("Park submitted with wait=%d while the wakeup could not be armed (waits %v)", w, fr.waits)
		}
	}
	fr.full = false
}
