package pools

import (
	"sync"
	"testing"

	"go.uber.org/goleak"

	executor "asyncworkbook/phase1-executor"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// onExecutor runs f as the main task of a fresh executor on its own
// goroutine, as a pool's executor would run.
func onExecutor[T any](f executor.Future[T]) <-chan T {
	out := make(chan T, 1)
	go func() {
		ex := executor.New()
		defer ex.Close()
		v, err := executor.BlockOn(ex, f)
		if err != nil {
			panic(err)
		}
		out <- v
	}()
	return out
}

// TestMessagesCrossExecutorsWithoutLossDuplicateOrReorder sends n numbers
// from a task on one executor to a task on another, through a small ring
// so both sides wait for each other many times.
func TestMessagesCrossExecutorsWithoutLossDuplicateOrReorder(t *testing.T) {
	n := 10_000_000
	if testing.Short() {
		n = 200_000
	}
	c := NewSPSC[int](64)
	sent := onExecutor(executor.Async(func(a *executor.Awaiter) int {
		for i := range n {
			if !c.Push(i) { // batched while there is room
				c.Flush()
				executor.Await(a, c.Send(i))
			}
		}
		c.Close()
		return n
	}))
	got := onExecutor(executor.Async(func(a *executor.Awaiter) int {
		next := 0
		for {
			r := executor.Await(a, c.Recv())
			if !r.OK {
				return next
			}
			if r.Value != next {
				t.Errorf("received %d, want %d (lost, duplicated or reordered)", r.Value, next)
				return -1
			}
			next++
		}
	}))
	if s, g := <-sent, <-got; g != s {
		t.Fatalf("received %d messages of %d", g, s)
	}
}

// A receiver that keeps up is never woken: the sender only loads a word.
func TestReceiverThatKeepsUpIsNeverWoken(t *testing.T) {
	c := NewSPSC[int](8)
	for i := range 1000 {
		if !c.TrySend(i) {
			t.Fatal("full with one message in it")
		}
		if v, ok := c.TryRecv(); !ok || v != i {
			t.Fatalf("TryRecv = %d, %v; want %d", v, ok, i)
		}
	}
	if w := c.Wakes(); w != 0 {
		t.Fatalf("%d wakes for 1000 messages to a receiver that never waited: a wake per send", w)
	}
}

// A waiting receiver is woken once by the send that ends its wait.
func TestWaitingReceiverIsWokenOnce(t *testing.T) {
	c := NewSPSC[int](8)
	waiting := make(chan struct{})
	got := onExecutor(executor.Async(func(a *executor.Awaiter) int {
		// Poll the Recv once by hand so the test knows it is waiting.
		r := executor.Await(a, executor.PollFn(func(cx *executor.Context) executor.Poll[executor.RecvResult[int]] {
			p := c.Recv().Poll(cx)
			if _, ready := p.Value(); !ready {
				close(waiting)
			}
			return p
		}))
		return r.Value
	}))
	<-waiting
	for i := range 3 {
		c.Push(10 + i)
	}
	c.Flush()
	if v := <-got; v != 10 {
		t.Fatalf("received %d, want 10", v)
	}
	if w := c.Wakes(); w != 1 {
		t.Fatalf("%d wakes for one wait ended by one Flush of three messages, want 1", w)
	}
}

// parkCounter is a driver that counts parks; parking ends at the next
// Unpark as with ChanDriver.
type parkCounter struct {
	*executor.ChanDriver
	parks  int
	onPark func()
}

func (d *parkCounter) Park() string {
	d.parks++
	if d.onPark != nil {
		d.onPark()
	}
	return d.ChanDriver.Park()
}

// The lost-wakeup window: the receiver found the ring empty, and before it
// says it waits the sender publishes a message and sees nobody waiting.
// The receiver must look again after saying so, and take the message
// without parking.
func TestMessageSentJustBeforeTheReceiverWaitsIsNotLost(t *testing.T) {
	c := NewSPSC[int](8)
	testHookBeforeWaiting = func() {
		testHookBeforeWaiting = nil
		if !c.TrySend(7) {
			t.Error("TrySend failed on an empty ring")
		}
	}
	defer func() { testHookBeforeWaiting = nil }()
	d := &parkCounter{ChanDriver: executor.NewChanDriver()}
	// If the executor parks, the message went unseen: end the test's wait
	// by closing the channel so the failure is reported, not hung.
	d.onPark = func() { c.Close() }
	ex := executor.New(executor.WithDriver(d))
	defer ex.Close()
	r, err := executor.BlockOn(ex, c.Recv())
	if err != nil {
		t.Fatal(err)
	}
	if d.parks != 0 {
		t.Fatalf("the executor parked %d times with a message published: a lost wakeup (got %+v)", d.parks, r)
	}
	if !r.OK || r.Value != 7 {
		t.Fatalf("Recv = %+v, want 7", r)
	}
}

func TestPushIsSeenOnlyAfterFlushOrABatch(t *testing.T) {
	c := NewSPSC[int](64)
	for i := range 3 {
		c.Push(i)
	}
	if _, ok := c.TryRecv(); ok || c.Len() != 0 {
		t.Fatal("pushed messages are visible before Flush")
	}
	c.Flush()
	if c.Len() != 3 {
		t.Fatalf("Len after Flush = %d, want 3", c.Len())
	}
	for i := range BatchSize - 1 {
		c.Push(100 + i)
	}
	if c.Len() != 3 {
		t.Fatalf("Len = %d with %d pushed since the last Flush: Push flushed early", c.Len(), BatchSize-1)
	}
	c.Push(999)
	if c.Len() != 3+BatchSize {
		t.Fatalf("Len after %d unpublished pushes = %d: Push must flush every %d", BatchSize, c.Len(), BatchSize)
	}
}

func TestSenderWaitsForRoomAndCloseDrains(t *testing.T) {
	c := NewSPSC[string](2)
	done := onExecutor(executor.Async(func(a *executor.Awaiter) int {
		for _, s := range []string{"a", "b", "c", "d", "e"} {
			executor.Await(a, c.Send(s))
		}
		c.Close()
		return 0
	}))
	var got []string
	var mu sync.Mutex
	recv := onExecutor(executor.Async(func(a *executor.Awaiter) int {
		for {
			r := executor.Await(a, c.Recv())
			if !r.OK {
				return 0
			}
			mu.Lock()
			got = append(got, r.Value)
			mu.Unlock()
		}
	}))
	<-done
	<-recv
	if len(got) != 5 || got[0] != "a" || got[4] != "e" {
		t.Fatalf("received %v, want a..e in order", got)
	}
	if _, ok := c.TryRecv(); ok {
		t.Fatal("a message after close and drain")
	}
}
