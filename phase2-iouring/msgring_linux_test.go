//go:build linux

package iouring

import (
	"testing"

	"golang.org/x/sys/unix"
)

// A MSG_RING from one ring posts a CQE into another, waking a thread
// parked there; with SQECQESkipSuccess the sender gets no CQE of its own,
// and a failure still reports one.
func TestMsgRingPostsIntoAnotherRing(t *testing.T) {
	a, b := newRing(t, 8), newRing(t, 8)
	got := make(chan CQE, 1)
	go func() {
		var c []CQE
		for len(c) == 0 {
			if _, err := b.Submit(1); err != nil { // parked until the message
				t.Error(err)
				return
			}
			b.Reap(func(x CQE) { c = append(c, x) })
		}
		got <- c[0]
	}()
	sqe := a.NextSQE()
	sqe.PrepMsgRing(b.Fd(), 7, 0xfeed)
	sqe.Flags |= SQECQESkipSuccess
	if _, err := a.Submit(0); err != nil {
		t.Fatal(err)
	}
	if c := <-got; c.UserData != 0xfeed || c.Res != 7 {
		t.Fatalf("the target ring got %+v, want user_data 0xfeed res 7", c)
	}
	if n := a.CQReady(); n != 0 {
		t.Fatalf("the sender has %d CQEs; SQECQESkipSuccess should leave none", n)
	}
	// Not a ring: the failure is reported even with the skip flag.
	null, err := unix.Open("/dev/null", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(null)
	sqe = a.NextSQE()
	sqe.PrepMsgRing(null, 0, 1)
	sqe.Flags |= SQECQESkipSuccess
	var c []CQE
	for len(c) == 0 {
		if _, err := a.Submit(1); err != nil {
			t.Fatal(err)
		}
		a.Reap(func(x CQE) { c = append(c, x) })
	}
	if c[0].Res != -int32(unix.EBADFD) {
		t.Fatalf("MSG_RING to a descriptor that is not a ring: %+v, want -EBADFD", c[0])
	}
}
