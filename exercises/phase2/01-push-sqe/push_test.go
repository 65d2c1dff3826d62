package pushsqe

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"asyncworkbook/phases/check"
)

const exercise = "phase2/01-push-sqe"

// noLeaks checks, when the test ends, that no goroutine it started is
// still running. Call it first: it runs after every other cleanup.
func noLeaks(t *testing.T) {
	before := goleak.IgnoreCurrent()
	t.Cleanup(func() {
		if t.Skipped() || t.Failed() || check.Abandoned(t) {
			return
		}
		goleak.VerifyNone(t, before)
	})
}

// entries returns n distinct entries; UserData counts from 1, so an entry
// never looks like an empty slot.
func entries(n int) []Entry {
	out := make([]Entry, n)
	for i := range out {
		out[i] = Entry{Op: uint8(22 + i%3), Fd: int32(3 + i%5), Off: uint64(i) * 4096, Len: uint32(512 + i), UserData: uint64(i + 1)}
	}
	return out
}

// newRing returns a queue and its kernel, stopped at the end of the test.
func newRing(t *testing.T, size int, start uint32) (*SQ, *Kernel) {
	q := NewSQ(size, start)
	k := NewKernel(q)
	t.Cleanup(func() {
		if !check.Abandoned(t) {
			k.Stop()
		}
	})
	return q, k
}

// pushAll pushes es in order while the kernel consumes them, waiting for
// the kernel to free a slot whenever Push says the queue is full.
func pushAll(t *testing.T, q *SQ, k *Kernel, es []Entry) (fulls int) {
	t.Helper()
	return check.WithinExplain(t,
		"pushing stalled. Does Push store the tail (the kernel waits for that store)? Does it report full only when Tail-Head == len(Entries)?",
		func() int {
			fulls := 0
			for _, e := range es {
				for {
					head := q.Head.Load()
					if q.Push(e) {
						break
					}
					fulls++
					q.Head.WaitChange(head, nil) // the kernel frees slots
				}
			}
			k.WaitTaken(len(es))
			return fulls
		})
}

// verify compares what the kernel saw and took with what was pushed.
func verify(t *testing.T, k *Kernel, pushed []Entry) {
	t.Helper()
	for _, p := range k.Problems() {
		t.Errorf("%s", p)
	}
	seen := k.Seen()
	for i := range min(len(seen), len(pushed)) {
		if seen[i] != pushed[i] {
			t.Fatalf("when the tail was stored to publish entry #%d, its slot held %+v, want %+v: "+
				"the kernel may read a slot the instant the tail says it is there — fill the entry first, then store the tail; kernel log:%s",
				i+1, seen[i], pushed[i], k.Log(-40))
		}
	}
	if len(seen) != len(pushed) {
		t.Fatalf("the tail stores published %d entries, want %d; kernel log:%s", len(seen), len(pushed), k.Log(40))
	}
	taken := k.WaitTaken(len(pushed))
	if !slices.Equal(taken, pushed) {
		t.Fatalf("the kernel consumed%s\nwant%s\nkernel log:%s", list(taken), list(pushed), k.Log(40))
	}
}

func list(es []Entry) string {
	var b strings.Builder
	for i, e := range es {
		fmt.Fprintf(&b, "\n\t#%d %+v", i+1, e)
	}
	if len(es) == 0 {
		b.WriteString("\n\t(nothing)")
	}
	return b.String()
}

func TestPushPublishesEntriesInOrder(t *testing.T) {
	defer check.Guard(t, exercise)
	noLeaks(t)
	q, k := newRing(t, 8, 0)
	k.Start()
	es := entries(5)
	pushAll(t, q, k, es)
	verify(t, k, es)
	if got := q.Tail.Load(); got != 5 {
		t.Errorf("after 5 pushes the tail is %d, want 5", got)
	}
	if n := q.Tail.Stores(); n < 1 || n > 5 {
		t.Errorf("the tail was stored %d times for 5 pushes, want between 1 and 5", n)
	}
}

func TestPushWrapsAroundTheRing(t *testing.T) {
	defer check.Guard(t, exercise)
	noLeaks(t)
	q, k := newRing(t, 4, 0)
	k.Start()
	es := entries(37) // more than nine laps of a 4-slot ring
	pushAll(t, q, k, es)
	verify(t, k, es)
}

func TestPushWrapsAroundTheIndexes(t *testing.T) {
	defer check.Guard(t, exercise)
	noLeaks(t)
	// Head and tail start 6 short of 2³²: they overflow to 0 midway.
	q, k := newRing(t, 4, 1<<32-6)
	k.Start()
	es := entries(20)
	pushAll(t, q, k, es)
	verify(t, k, es)
	if got, want := q.Tail.Load(), uint32(14); got != want {
		t.Errorf("after 20 pushes from %d the tail is %d, want %d (it counts entries and wraps at 2³²)", uint32(1<<32-6), got, want)
	}
}

func TestPushReportsAFullQueue(t *testing.T) {
	defer check.Guard(t, exercise)
	noLeaks(t)
	// The kernel does not consume until started: the queue fills up.
	// Starting 2 short of 2³² puts the full check across the overflow.
	var start uint32 = 1<<32 - 2
	q, k := newRing(t, 4, start)
	es := entries(6)
	ok := check.Within(t, func() []bool {
		var ok []bool
		for _, e := range es {
			ok = append(ok, q.Push(e))
		}
		return ok
	})
	if want := []bool{true, true, true, true, false, false}; !slices.Equal(ok, want) {
		t.Fatalf("pushing 6 entries into an empty 4-slot queue nobody consumes returned %v, want %v: "+
			"the queue is full when Tail-Head == len(Entries) (unsigned, so it works across the wrap at 2³²); kernel log:%s", ok, want, k.Log(40))
	}
	if got := q.Tail.Load(); got != start+4 {
		t.Errorf("after the queue filled up the tail is %d, want %d: a refused push changes nothing", got, start+4)
	}
	k.Start()
	verify(t, k, es[:4])
	// Room again: the next push goes in.
	more := entries(8)[6:]
	pushAll(t, q, k, more)
	verify(t, k, append(es[:4:4], more...))
}

func TestPushWithAKernelRacingIt(t *testing.T) {
	defer check.Guard(t, exercise)
	noLeaks(t)
	// Run with -race: the detector checks the fill-then-publish order
	// too, on every entry.
	q, k := newRing(t, 8, 0)
	k.Start()
	es := entries(2000)
	fulls := pushAll(t, q, k, es)
	verify(t, k, es)
	t.Logf("the queue was full %d times", fulls)
}

func TestPushWithAKernelThatTrickles(t *testing.T) {
	defer check.Guard(t, exercise)
	check.Within(t, func() bool { return NewSQ(4, 0).Push(Entry{}) }) // not started: skip here
	for name, tr := range check.Trickles() {
		t.Run(name, func(t *testing.T) {
			defer check.Guard(t, exercise)
			noLeaks(t)
			// Start near the top of the index range: the indexes wrap
			// while the kernel frees the ring a few slots at a time.
			q, k := newRing(t, 4, ^uint32(0)-20)
			k.Trickle = tr
			k.Start()
			es := entries(300)
			pushAll(t, q, k, es)
			verify(t, k, es)
		})
	}
}
