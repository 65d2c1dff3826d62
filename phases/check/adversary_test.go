package check_test

import (
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	executor "asyncworkbook/phase1-executor"
	"asyncworkbook/phases/check"
)

func TestSeamRunsAHookAtTheNthHitOnly(t *testing.T) {
	var s check.Seam
	ran := 0
	s.OnNth("between", 2, func() { ran++ })
	for range 4 {
		s.At("between")
	}
	if ran != 1 || s.Hits("between") != 4 || s.Fired("between") != 1 {
		t.Fatalf("hook ran %d times, point hit %d, fired %d; want 1, 4, 1", ran, s.Hits("between"), s.Fired("between"))
	}
}

func TestSeamHookDoesNotRecurse(t *testing.T) {
	var s check.Seam
	depth := 0
	s.On("p", func() {
		depth++
		s.At("p") // the hook calls code that reaches the same seam
	})
	s.At("p")
	if depth != 1 || s.Hits("p") != 2 {
		t.Fatalf("hook ran %d times for %d hits, want 1 and 2", depth, s.Hits("p"))
	}
}

func TestSeamOffRemovesTheHook(t *testing.T) {
	var s check.Seam
	ran := 0
	off := s.On("p", func() { ran++ })
	s.At("p")
	off()
	s.At("p")
	if ran != 1 {
		t.Fatalf("hook ran %d times, want 1 (removed after the first)", ran)
	}
}

func TestWakeStormFiresFromOtherGoroutinesAndStops(t *testing.T) {
	var mu sync.Mutex
	n := 0
	s := check.WakeStorm(4, 50, func() { mu.Lock(); n++; mu.Unlock() })
	if got := s.Stop(); got > 200 || int(got) != n {
		t.Fatalf("storm reported %d wakes, counted %d, want at most 200 and equal", got, n)
	}
}

func TestWakeStormReraisesAPanic(t *testing.T) {
	fired := make(chan struct{})
	s := check.WakeStorm(1, 1, func() { close(fired); panic("boom") })
	<-fired
	defer func() {
		if r := recover(); r != "boom" {
			t.Fatalf("Stop re-raised %v, want boom", r)
		}
	}()
	s.Stop()
	t.Fatal("Stop did not re-raise the storm's panic")
}

func TestTricklePostsAtMostThePattern(t *testing.T) {
	tr := &check.Trickle{Pattern: []int{0, 2}}
	var got []int
	for _, avail := range []int{5, 5, 1, 1} {
		got = append(got, tr.Next(avail))
	}
	if want := []int{0, 2, 0, 1}; !equalInts(got, want) {
		t.Fatalf("Next gave %v, want %v", got, want)
	}
	if n := (&check.Trickle{}).Next(7); n != 7 {
		t.Fatalf("the zero Trickle posted %d of 7, want all", n)
	}
	if len(check.Trickles()) < 4 {
		t.Fatal("fewer than four standard trickles")
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// waitsOnce is a future that returns Pending until fire is called, and
// wakes the waker it was given: at its first poll only (firstOnly), or
// the newest one.
type waitsOnce struct {
	mu        sync.Mutex
	w         executor.Waker
	have      bool
	fired     bool
	firstOnly bool
	polls     int
}

func (f *waitsOnce) Poll(cx *executor.Context) executor.Poll[int] {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.polls++
	if f.fired {
		return executor.PollReady(f.polls)
	}
	if !f.have || !f.firstOnly {
		f.w, f.have = cx.Waker(), true
	}
	return executor.Pending[int]()
}

func (f *waitsOnce) fire() {
	f.mu.Lock()
	f.fired = true
	w := f.w
	f.mu.Unlock()
	w.Wake()
}

// handoff runs f through a Handoff; the second task, once it has polled
// f, fires f from another goroutine and waits for that wake to land. It
// reports whether the second task finished without the executor parking
// (parking means the wake went to the first task, which is gone).
func handoff(t *testing.T, f *waitsOnce) (finished bool) {
	ex := executor.New(executor.WithDriver(check.NoParking("")))
	h := check.NewHandoff[int](f, 1)
	if moved, err := executor.BlockOn(ex, h.First()); err != nil || moved {
		t.Fatalf("First = %v, %v; want false (moved while pending), nil", moved, err)
	}
	second := executor.PollFn(func(cx *executor.Context) executor.Poll[int] {
		p := h.Second().Poll(cx)
		if !p.IsReady() {
			landed := make(chan struct{})
			go func() { f.fire(); close(landed) }()
			<-landed
		}
		return p
	})
	defer func() {
		if r := recover(); r != nil {
			finished = false
		}
	}()
	_, err := executor.BlockOn(ex, second)
	ex.Close()
	return err == nil
}

func TestHandoffCatchesAFutureThatKeepsItsFirstWaker(t *testing.T) {
	if !handoff(t, &waitsOnce{}) {
		t.Fatal("a future that keeps the newest waker did not finish after a handoff")
	}
	if handoff(t, &waitsOnce{firstOnly: true}) {
		t.Fatal("a future that keeps only its first waker finished after a handoff: the handoff does not move it")
	}
}

func TestSpuriousPollsAgainWhilePending(t *testing.T) {
	f := &waitsOnce{}
	ex := executor.New()
	defer ex.Close()
	sp := check.Spurious[int](f, 3)
	first := true
	n, err := executor.BlockOn(ex, executor.PollFn(func(cx *executor.Context) executor.Poll[int] {
		p := sp.Poll(cx)
		if first {
			first = false
			if f.polls != 4 {
				return executor.PollReady(-f.polls)
			}
			cx.Wake(cx.Waker())
			f.fired = true
		}
		return p
	}))
	if err != nil || n != 5 {
		t.Fatalf("got %d, %v: want the first poll to poll the future 4 times (1 + 3 spurious), the second once more", n, err)
	}
}

func TestJostleWakesItsTaskNTimes(t *testing.T) {
	ex := executor.New()
	defer ex.Close()
	n, err := executor.BlockOn(ex, check.Jostle(5))
	if err != nil || n != 5 {
		t.Fatalf("Jostle(5) = %d, %v", n, err)
	}
	if p := ex.Stats().Polls; p != 6 {
		t.Fatalf("Jostle(5) was polled %d times, want 6", p)
	}
}

func TestLeakedFDsSeesANewPipe(t *testing.T) {
	before := check.OpenFDs()
	if before == nil {
		t.Skip("no /proc/self/fd")
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	leaked := check.LeakedFDs(before, check.OpenFDs())
	r.Close()
	w.Close()
	if len(leaked) != 2 || !strings.Contains(leaked[0], "pipe:") {
		t.Fatalf("LeakedFDs = %v, want the two ends of the pipe", leaked)
	}
	if leaked := check.LeakedFDs(before, check.OpenFDs()); len(leaked) != 0 {
		t.Fatalf("after closing, LeakedFDs = %v, want none", leaked)
	}
}

// echoServer is a goroutine-per-connection echo server; shortWrites makes
// it write at most 1000 bytes of what each read returned (the bug a
// greedy or slow peer must expose).
func echoServer(t *testing.T, dropRest bool) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				buf := make([]byte, 64<<10)
				for {
					n, err := c.Read(buf)
					if err != nil {
						return
					}
					out := buf[:n]
					if dropRest && n > 1000 {
						out = out[:1000]
					}
					if _, err := c.Write(out); err != nil {
						return
					}
				}
			}()
		}
	}()
	return ln.Addr().String()
}

func TestPeersPassAGoodServerAndCatchALossyOne(t *testing.T) {
	msg := []byte(strings.Repeat("0123456789abcdef", 1<<16)) // 1 MiB
	for _, lossy := range []bool{false, true} {
		addr := echoServer(t, lossy)
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		errc := make(chan error, 1)
		go func() { errc <- check.Greedy(c, msg) }()
		if lossy {
			// The lossy server leaves the greedy peer waiting for bytes
			// that never come: only a deadline ends its read.
			c.SetDeadline(time.Now().Add(500 * time.Millisecond))
		}
		gerr := <-errc
		c.Close()
		if (gerr != nil) != lossy {
			t.Fatalf("lossy=%v: Greedy = %v", lossy, gerr)
		}
	}
	addr := echoServer(t, false)
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := check.SlowReader(c, msg[:300<<10], 4096); err != nil {
		t.Fatal(err)
	}
	if err := check.EchoOnce(c, []byte("hi"), check.Deadline()); err != nil {
		t.Fatal(err)
	}
	if err := check.Reset(c, []byte("bye")); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Read(make([]byte, 1)); err == nil || err == io.EOF {
		t.Fatalf("a read after Reset returned %v, want a closed-connection error", err)
	}
}
