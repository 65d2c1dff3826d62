package wake

import (
	"fmt"
	"testing"

	executor "asyncworkbook/phase1-executor"
	"asyncworkbook/phases/check"
)

const exercise = "phase4/02-wake-when-parked"

// polled wraps one Recv and fails the run if it is polled more often than
// a receiver that waits properly ever is: once to find the ring empty
// and wait, once more when woken (twice more at most, if a wake it no
// longer needed comes late).
type polled[T any] struct {
	f     executor.Future[T]
	polls int
}

func (p *polled[T]) Poll(cx *executor.Context) executor.Poll[T] {
	p.polls++
	if p.polls > 4 {
		check.Fail(fmt.Sprintf("one Recv was polled %d times while the ring stayed empty: it wakes itself instead of waiting (a busy loop: "+
			"the executor never parks, and a core spins at 100%%). Leave the waker, set waiting, and return Pending", p.polls))
	}
	return p.f.Poll(cx)
}

func recvOne[T any](a *executor.Awaiter, c *Chan[T]) T {
	return executor.Await(a, executor.Future[T](&polled[T]{f: c.Recv()}))
}

// A message published in the window between the receiver's "the ring is
// empty" and its "I wait" must not be lost: the hook publishes exactly
// there, and the executor must then never park.
func TestAMessageSentJustBeforeTheReceiverWaitsIsNotLost(t *testing.T) {
	defer check.Guard(t, exercise)
	c := New[int](8)
	sent := false
	testHookEmpty = func() {
		if !sent {
			sent = true
			if !c.Send(7) {
				check.Fail("Send on an empty ring reported full")
			}
		}
	}
	t.Cleanup(func() { testHookEmpty = nil })
	ex := check.Executor(t, executor.WithDriver(check.NoParking(
		"The message was published right after your Poll found the ring empty, before it said it waits: "+
			"the sender saw nobody waiting and did not wake. After setting waiting, look at the ring again "+
			"(and take your word back if a message is there).")))
	got := check.BlockOn(t, ex, executor.Async(func(a *executor.Awaiter) int { return recvOne(a, c) }))
	if got != 7 {
		t.Fatalf("Recv = %d, want 7", got)
	}
	testHookEmpty = nil
	before := c.Wakes()
	check.Within(t, func() bool { return c.Send(8) })
	if c.Wakes() != before {
		t.Fatalf("Send(8) woke the receiver, which was not waiting (it had just received 7 and was polled no more): " +
			"when your Poll finds a message on its second look, it must take its waiting word back (CompareAndSwap true → false)")
	}
}

// A receiver that keeps up is never woken: each message is there before
// it looks.
func TestNoWakeWhileTheReceiverKeepsUp(t *testing.T) {
	defer check.Guard(t, exercise)
	c := New[int](16)
	d := check.NewDriver(nil)
	d.OnPark = func(n int) {
		if n == 1 {
			c.Send(-1) // the receiver waited once, so its waker is stored
			return
		}
		check.Fail(fmt.Sprintf("the executor parked (%d) while the receiver had messages: a lost wakeup", n))
	}
	ex := check.Executor(t, executor.WithDriver(d))
	wakes := check.BlockOn(t, ex, executor.Async(func(a *executor.Awaiter) uint64 {
		if v := recvOne(a, c); v != -1 {
			check.Fail(fmt.Sprintf("first Recv = %d, want -1", v))
		}
		before := c.Wakes()
		for i := range 100 {
			if !c.Send(i) {
				check.Fail(fmt.Sprintf("Send(%d) on a ring with room reported full", i))
			}
			if v := recvOne(a, c); v != i {
				check.Fail(fmt.Sprintf("Recv = %d, want %d", v, i))
			}
		}
		return c.Wakes() - before
	}))
	if wakes != 0 {
		t.Fatalf("100 messages, each sent while the receiver was busy (not waiting), fired %d wakes; want 0: "+
			"wake only a receiver whose waiting word is true, and take the word (CompareAndSwap) so one wait costs one wake", wakes)
	}
}

// The receiver waits, the executor parks, a batch of messages arrives:
// one wake per batch, and nothing lost or reordered.
func TestOneWakePerBatchToAParkedReceiver(t *testing.T) {
	defer check.Guard(t, exercise)
	const rounds, batch = 5, 8
	c := New[int](batch)
	next := 0
	d := check.NewDriver(nil)
	d.OnPark = func(n int) {
		if n > rounds {
			check.Fail(fmt.Sprintf("the executor parked a %dth time: only %d batches were sent, and the receiver got them all?", n, rounds))
		}
		if next != (n-1)*batch {
			check.Fail(fmt.Sprintf("park %d with %d messages sent", n, next))
		}
		before := c.Wakes()
		for range batch {
			if !c.Send(next) {
				check.Fail(fmt.Sprintf("Send(%d) reported full on a ring the receiver had emptied", next))
			}
			next++
		}
		switch w := c.Wakes() - before; {
		case w == 0:
			check.Fail(fmt.Sprintf("a batch of %d messages was sent to a receiver that waits (the executor is parking), and no Send woke it: "+
				"after publishing, a sender that finds waiting true must take it and fire()", batch))
		case w > 1:
			check.Fail(fmt.Sprintf("a batch of %d messages to a parked receiver fired %d wakes, want 1: the first Send takes the waiting word "+
				"(true → false), so the others see nobody waiting", batch, w))
		}
	}
	ex := check.Executor(t, executor.WithDriver(d))
	got := check.BlockOn(t, ex, executor.Async(func(a *executor.Awaiter) []int {
		var got []int
		for range rounds * batch {
			got = append(got, recvOne(a, c))
		}
		return got
	}))
	for i, v := range got {
		if v != i {
			t.Fatalf("message %d is %d: messages lost or out of order: %v", i, v, got)
		}
	}
	if d.Parks() != rounds {
		t.Fatalf("the executor parked %d times for %d batches, want %d", d.Parks(), rounds, rounds)
	}
}

// A sender on another goroutine, the receiver on an executor that really
// parks: every message arrives, in order (run it with -race).
func TestAcrossThreadsNothingIsLost(t *testing.T) {
	defer check.Guard(t, exercise)
	const n = 20000
	c := New[int](64)
	ex := check.Executor(t)
	// The first Send on the test's goroutine: a panic there is reported.
	if !check.Within(t, func() bool { return c.Send(0) }) {
		t.Fatal("Send(0) on an empty ring reported full")
	}
	go func() {
		defer func() {
			if v := recover(); v != nil {
				t.Errorf("Send panicked on the sender's goroutine: %v", v)
			}
		}()
		for i := 1; i < n; {
			if c.Send(i) {
				i++
			}
		}
	}()
	bad := check.WithinExplain(t, "a lost wakeup: the receiver waits for a message the sender published without waking it", func() string {
		out, err := executor.BlockOn(ex, executor.Async(func(a *executor.Awaiter) string {
			for i := range n {
				if v := executor.Await(a, c.Recv()); v != i {
					return fmt.Sprintf("message %d is %d", i, v)
				}
			}
			return ""
		}))
		if err != nil {
			panic(err)
		}
		return out
	})
	if bad != "" {
		t.Fatal(bad)
	}
}
