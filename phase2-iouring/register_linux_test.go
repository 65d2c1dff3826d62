//go:build linux

package iouring

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"
)

func newPool(t *testing.T, n, size int) *BufferPool {
	t.Helper()
	p, err := NewBufferPool(n, size)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

// submitAndReap submits what is pending, waits for want CQEs and returns
// them.
func submitAndReap(t *testing.T, r *Ring, want int) []CQE {
	t.Helper()
	var got []CQE
	for len(got) < want {
		if _, err := r.Submit(uint32(want - len(got))); err != nil {
			t.Fatalf("Submit: %v", err)
		}
		r.Reap(func(c CQE) { got = append(got, c) })
	}
	return got
}

func TestReadFixedReadsARegisteredFileIntoARegisteredBuffer(t *testing.T) {
	r := newRing(t, 8)
	content := make([]byte, 3*4096)
	for i := range content {
		content[i] = byte(i * 7)
	}
	path := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(path, content, 0o600); err != nil {
		t.Fatal(err)
	}
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	pool := newPool(t, 4, 4096)
	if err := r.RegisterBuffers(pool); err != nil {
		t.Fatal(err)
	}
	if err := r.RegisterFiles(4); err != nil {
		t.Fatal(err)
	}
	if err := r.UpdateFiles(2, []int32{int32(fd)}); err != nil {
		t.Fatal(err)
	}
	// The table holds its own reference: our descriptor can go.
	unix.Close(fd)

	buf := pool.Buf(3)
	sqe := r.NextSQE()
	sqe.PrepReadFixed(2, unsafe.Pointer(&buf[0]), 4096, 4096, 3)
	sqe.Flags |= SQEFixedFile
	sqe.UserData = 42
	c := submitAndReap(t, r, 1)[0]
	if c.UserData != 42 || c.Res != 4096 {
		t.Fatalf("READ_FIXED CQE = %+v, want user_data 42 res 4096", c)
	}
	if !bytes.Equal(buf, content[4096:8192]) {
		t.Fatal("READ_FIXED delivered other bytes than the file's second block")
	}

	// An empty slot is not a descriptor.
	sqe = r.NextSQE()
	sqe.PrepReadFixed(1, unsafe.Pointer(&buf[0]), 4096, 0, 3)
	sqe.Flags |= SQEFixedFile
	if c := submitAndReap(t, r, 1)[0]; c.Res != -int32(unix.EBADF) {
		t.Fatalf("READ_FIXED on an empty slot: res %d, want -EBADF", c.Res)
	}
	// A buffer address outside the registered buffer named is refused.
	other := pool.Buf(0)
	sqe = r.NextSQE()
	sqe.PrepReadFixed(2, unsafe.Pointer(&other[0]), 4096, 0, 3)
	sqe.Flags |= SQEFixedFile
	if c := submitAndReap(t, r, 1)[0]; c.Res != -int32(unix.EFAULT) {
		t.Fatalf("READ_FIXED into buffer 0 while naming index 3: res %d, want -EFAULT", c.Res)
	}
	if err := r.UnregisterFiles(); err != nil {
		t.Fatal(err)
	}
	if err := r.UnregisterBuffers(); err != nil {
		t.Fatal(err)
	}
}

func TestBufferPoolRejectsSizesItCannotHold(t *testing.T) {
	for _, c := range []struct{ n, size int }{{0, 64}, {4, 0}, {1<<16 + 1, 64}} {
		if p, err := NewBufferPool(c.n, c.size); err == nil {
			p.Close()
			t.Errorf("NewBufferPool(%d, %d) = nil error, want one", c.n, c.size)
		}
	}
	p := newPool(t, 3, 100)
	if p.Size() != 128 || len(p.Buf(2)) != 128 || cap(p.Buf(1)) != 128 {
		t.Errorf("size 100 gave buffers of %d (len %d, cap %d), want 128: rounded to a cache line, capped at the buffer", p.Size(), len(p.Buf(2)), cap(p.Buf(1)))
	}
}

// TestMultishotRecvTakesProvidedBuffersAndSaysWhenItStops: one RECV SQE
// serves many CQEs, each naming the buffer the kernel picked; with no
// buffer left it ends with -ENOBUFS and no MORE flag, the unread bytes wait
// in the socket, and a re-armed RECV delivers them into a recycled buffer.
func TestMultishotRecvTakesProvidedBuffersAndSaysWhenItStops(t *testing.T) {
	r := newRing(t, 8)
	sp, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(sp[0])
	defer unix.Close(sp[1])
	pool := newPool(t, 4, 64)
	br, err := NewBufRing(r, 7, pool)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := br.Close(); err != nil {
			t.Error(err)
		}
	}()
	if br.Available() != 4 {
		t.Fatalf("Available = %d after registering 4 buffers", br.Available())
	}
	arm := func() {
		sqe := r.NextSQE()
		sqe.PrepRecvMultishot(sp[0], br.Group(), 0)
		sqe.UserData = 9
	}
	arm()
	if _, err := r.Submit(0); err != nil {
		t.Fatal(err)
	}
	seen := map[uint16]bool{}
	for i := range 4 {
		msg := fmt.Appendf(nil, "message %d", i)
		if _, err := unix.Write(sp[1], msg); err != nil {
			t.Fatal(err)
		}
		c := submitAndReap(t, r, 1)[0]
		bid, ok := c.BufferID()
		if c.UserData != 9 || c.Res != int32(len(msg)) || !ok || !c.More() {
			t.Fatalf("CQE %d = %+v (bid %d, buffer %v, more %v), want res %d naming a buffer, with MORE", i, c, bid, ok, c.More(), len(msg))
		}
		br.Taken(bid)
		if seen[bid] {
			t.Fatalf("buffer %d handed out twice without being recycled", bid)
		}
		seen[bid] = true
		if got := br.Buf(bid, int(c.Res)); !bytes.Equal(got, msg) {
			t.Fatalf("buffer %d holds %q, want %q", bid, got, msg)
		}
	}
	if br.Available() != 0 {
		t.Fatalf("Available = %d with every buffer taken", br.Available())
	}
	last := []byte("the bytes that found no buffer")
	if _, err := unix.Write(sp[1], last); err != nil {
		t.Fatal(err)
	}
	c := submitAndReap(t, r, 1)[0]
	if c.Res != -int32(unix.ENOBUFS) || c.More() {
		t.Fatalf("with no buffer left: CQE %+v, want -ENOBUFS without MORE (the multishot op is over)", c)
	}
	br.Recycle(2)
	arm()
	c = submitAndReap(t, r, 1)[0]
	bid, ok := c.BufferID()
	if !ok || bid != 2 || c.Res != int32(len(last)) {
		t.Fatalf("after recycling buffer 2 and re-arming: CQE %+v (bid %d), want the waiting %d bytes in buffer 2", c, bid, len(last))
	}
	if got := br.Buf(bid, int(c.Res)); !bytes.Equal(got, last) {
		t.Fatalf("re-armed RECV delivered %q, want %q: bytes were lost", got, last)
	}
	// End of stream ends the op: res 0, no MORE. (The buffer goes back
	// first: the kernel may run the RECV as soon as close returns.)
	br.Recycle(0)
	unix.Close(sp[1])
	for {
		c = submitAndReap(t, r, 1)[0]
		if !c.More() {
			break
		}
	}
	if c.Res != 0 {
		t.Fatalf("at end of stream: CQE %+v, want res 0 without MORE", c)
	}
}

func TestMultishotAcceptPostsACQEPerConnection(t *testing.T) {
	r := newRing(t, 8)
	lfd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(lfd)
	if err := unix.Bind(lfd, &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	if err := unix.Listen(lfd, 16); err != nil {
		t.Fatal(err)
	}
	sa, err := unix.Getsockname(lfd)
	if err != nil {
		t.Fatal(err)
	}
	sqe := r.NextSQE()
	sqe.PrepAcceptMultishot(lfd, unix.SOCK_CLOEXEC)
	sqe.UserData = 5
	if _, err := r.Submit(0); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		cfd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer unix.Close(cfd)
		if err := unix.Connect(cfd, sa); err != nil {
			t.Fatal(err)
		}
		c := submitAndReap(t, r, 1)[0]
		if c.UserData != 5 || c.Res < 0 || !c.More() {
			t.Fatalf("connection %d: CQE %+v, want a descriptor with MORE", i, c)
		}
		unix.Close(int(c.Res))
	}
	// Cancelling ends it: the op's last CQE has no MORE.
	r.NextSQE().PrepCancel(5, 0)
	var final *CQE
	for final == nil {
		for _, c := range submitAndReap(t, r, 1) {
			if c.UserData == 5 && !c.More() {
				final = &c
			}
		}
	}
	if final.Res != -int32(unix.ECANCELED) {
		t.Fatalf("cancelled multishot accept ended with %+v, want -ECANCELED", *final)
	}
}

// TestRegisterBuffersOverMemlockSaysSo runs in a child process that lowers
// RLIMIT_MEMLOCK and gives up CAP_IPC_LOCK (root ignores the limit
// otherwise), then registers more than the limit.
func TestRegisterBuffersOverMemlockSaysSo(t *testing.T) {
	if os.Getenv("IOURING_MEMLOCK_CHILD") == "1" {
		memlockChild()
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestRegisterBuffersOverMemlockSaysSo$", "-test.v")
	cmd.Env = append(os.Environ(), "IOURING_MEMLOCK_CHILD=1")
	out, err := cmd.CombinedOutput()
	if bytes.Contains(out, []byte("SKIP-CHILD")) {
		t.Skipf("child could not set up: %s", out)
	}
	if err != nil || !bytes.Contains(out, []byte("MEMLOCK-OK")) {
		t.Fatalf("child: %v\n%s", err, out)
	}
}

func memlockChild() {
	// Capabilities are per thread: drop CAP_IPC_LOCK on this one, and set
	// up and register on it too.
	runtime.LockOSThread()
	if err := unix.Setrlimit(unix.RLIMIT_MEMLOCK, &unix.Rlimit{Cur: 64 << 10, Max: 64 << 10}); err != nil {
		fmt.Println("SKIP-CHILD setrlimit:", err)
		return
	}
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	var data [2]unix.CapUserData
	if err := unix.Capget(&hdr, &data[0]); err != nil {
		fmt.Println("SKIP-CHILD capget:", err)
		return
	}
	const capIPCLock = 14 // CAP_IPC_LOCK
	data[0].Effective &^= 1 << capIPCLock
	if err := unix.Capset(&hdr, &data[0]); err != nil {
		fmt.Println("SKIP-CHILD capset:", err)
		return
	}
	r, err := Setup(8, 0)
	if err != nil {
		fmt.Println("SKIP-CHILD setup:", err)
		return
	}
	defer r.Close()
	pool, err := NewBufferPool(64, 64<<10) // 4 MiB, far over 64 KiB
	if err != nil {
		fmt.Println("SKIP-CHILD pool:", err)
		return
	}
	defer pool.Close()
	err = r.RegisterBuffers(pool)
	var me *MemlockError
	if errors.As(err, &me) && errors.Is(err, unix.ENOMEM) && me.Need == 4<<20 && me.Limit == 64<<10 {
		fmt.Println("MEMLOCK-OK:", err)
		return
	}
	fmt.Println("FAIL: RegisterBuffers over the limit returned", err)
	os.Exit(1)
}
