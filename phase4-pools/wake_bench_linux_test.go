//go:build linux

package pools

import (
	"runtime"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"

	iouring "asyncworkbook/phase2-iouring"
)

// BenchmarkWakeRing measures what waking a parked executor costs, as a
// ping-pong between two threads each parked in its own ring's
// io_uring_enter, per round trip (two wakes):
//
//	msg-ring  the waker posts a CQE straight into the other ring
//	          (IORING_OP_MSG_RING, 5.18; its own CQE skipped on success,
//	          IOSQE_CQE_SKIP_SUCCESS, 5.17)
//	eventfd   the waker writes the other's eventfd, on which a READ is in
//	          flight in the parked ring (what phase 2's Unpark does)
//	go-chan   two goroutines on locked threads, an unbuffered channel
//	          (the Go runtime's own park and wake)
//
//	go test -run '^$' -bench WakeRing -count 5 ./phase4-pools/
//
// The -single-issuer and -defer-taskrun rows set both rings up with
// IORING_SETUP_SINGLE_ISSUER (6.0), and with DEFER_TASKRUN (6.1) too, as
// Options.Ring does for the pool: each ring is then made on the thread
// that waits on it.
func BenchmarkWakeRing(b *testing.B) {
	// IORING_SETUP_* bits (include/uapi/linux/io_uring.h): these rings are
	// set up raw with iouring.Setup, not through a Reactor.
	const (
		setupCoopTaskrun  = 1 << 8  // 5.19
		setupTaskrunFlag  = 1 << 9  // 5.19
		setupSingleIssuer = 1 << 12 // 6.0
		setupDeferTaskrun = 1 << 13 // 6.1
	)
	b.Run("msg-ring", func(b *testing.B) { pingPong(b, msgRingSide) })
	b.Run("eventfd", func(b *testing.B) { pingPong(b, eventfdSide) })
	for _, f := range []struct {
		name  string
		flags uint32
	}{
		{"single-issuer", setupSingleIssuer | setupCoopTaskrun},
		{"defer-taskrun", setupSingleIssuer | setupDeferTaskrun | setupTaskrunFlag},
	} {
		b.Run("msg-ring-"+f.name, func(b *testing.B) { pingPongOwned(b, f.flags, false) })
		b.Run("eventfd-"+f.name, func(b *testing.B) { pingPongOwned(b, f.flags, true) })
	}
	b.Run("go-chan", func(b *testing.B) {
		ping, pong := make(chan struct{}), make(chan struct{})
		go func() {
			runtime.LockOSThread()
			for range pong {
				ping <- struct{}{}
			}
		}()
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		b.ResetTimer()
		for range b.N {
			pong <- struct{}{}
			<-ping
		}
		close(pong)
	})
}

// side is one thread of the ping-pong: wait parks until the other side's
// wake, wake wakes the other side.
type side struct {
	ring  *iouring.Ring
	efd   int
	buf   []byte // outside the Go heap: the eventfd READ lands here
	peer  *side
	armed bool
}

type sideKind func(b *testing.B) (a, c *side)

func newRing(b *testing.B) *iouring.Ring {
	r, err := iouring.Setup(8, 0)
	if err != nil {
		b.Skipf("io_uring unavailable: %v", err)
	}
	b.Cleanup(func() { r.Close() })
	return r
}

func msgRingSide(b *testing.B) (*side, *side) {
	x, y := &side{ring: newRing(b)}, &side{ring: newRing(b)}
	x.peer, y.peer = y, x
	return x, y
}

func (s *side) wakeMsgRing(b *testing.B) {
	sqe := s.ring.NextSQE()
	sqe.PrepMsgRing(s.peer.ring.Fd(), 0, 1)
	sqe.Flags |= iouring.SQECQESkipSuccess
	if _, err := s.ring.Submit(0); err != nil {
		b.Error(err)
	}
}

func eventfdSide(b *testing.B) (*side, *side) {
	mk := func() *side {
		efd, err := unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK)
		if err != nil {
			b.Fatal(err)
		}
		buf, err := unix.Mmap(-1, 0, 4096, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { unix.Close(efd); unix.Munmap(buf) })
		return &side{ring: newRing(b), efd: efd, buf: buf}
	}
	x, y := mk(), mk()
	x.peer, y.peer = y, x
	return x, y
}

func (s *side) wakeEventfd(b *testing.B) {
	one := [8]byte{1}
	if _, err := unix.Write(s.peer.efd, one[:]); err != nil {
		b.Error(err)
	}
}

// wait parks in io_uring_enter until one CQE arrives (re-arming the
// eventfd READ first when there is one).
func (s *side) wait(b *testing.B) {
	if s.efd != 0 && !s.armed {
		s.ring.NextSQE().PrepRead(s.efd, unsafe.Pointer(&s.buf[0]), 8, ^uint64(0))
		s.armed = true
	}
	for {
		got := 0
		s.ring.Reap(func(c iouring.CQE) {
			if c.Res < 0 {
				b.Errorf("CQE %+v: the wake failed", c)
			}
			got++
			if s.efd != 0 {
				s.armed = false
			}
		})
		if got > 0 {
			return
		}
		if _, err := s.ring.Submit(1); err != nil {
			b.Error(err)
			return
		}
	}
}

func pingPong(b *testing.B, kind sideKind) {
	x, y := kind(b)
	wake := (*side).wakeMsgRing
	if x.efd != 0 {
		wake = (*side).wakeEventfd
	}
	n := b.N
	done := make(chan struct{})
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		defer close(done)
		for range n {
			y.wait(b)
			wake(y, b)
		}
	}()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	b.ResetTimer()
	for range n {
		wake(x, b)
		x.wait(b)
	}
	<-done
}

// pingPongOwned is pingPong with each ring set up by its own locked
// thread (SINGLE_ISSUER refuses an enter from any other), with flags.
func pingPongOwned(b *testing.B, flags uint32, eventfd bool) {
	mk := func() *side {
		r, err := iouring.Setup(8, flags)
		if err != nil {
			b.Skipf("io_uring setup with flags %#x: %v", flags, err)
		}
		s := &side{ring: r}
		if eventfd {
			if s.efd, err = unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK); err != nil {
				b.Fatal(err)
			}
			if s.buf, err = unix.Mmap(-1, 0, 4096, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS); err != nil {
				b.Fatal(err)
			}
		}
		return s
	}
	free := func(s *side) {
		s.ring.Close()
		if s.efd != 0 {
			unix.Close(s.efd)
			unix.Munmap(s.buf)
		}
	}
	wake := (*side).wakeMsgRing
	if eventfd {
		wake = (*side).wakeEventfd
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	x := mk() // on this thread, which waits on it
	defer free(x)
	ready := make(chan *side)
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		y := mk() // on the other thread
		y.peer = x
		ready <- y
		// The waits below are y's; x is woken by y's write or MSG_RING
		// (neither enters x's ring).
		for range b.N {
			y.wait(b)
			wake(y, b)
		}
		ready <- nil
		free(y)
	}()
	y := <-ready
	x.peer = y
	b.ResetTimer()
	for range b.N {
		wake(x, b)
		x.wait(b)
	}
	<-ready
}
