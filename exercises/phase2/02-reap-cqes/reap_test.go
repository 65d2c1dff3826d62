package reapcqes

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"asyncworkbook/phases/check"
)

const exercise = "phase2/02-reap-cqes"

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

// completions returns n distinct completions. UserData counts from 0 (a
// valid user_data, not an empty slot), and every third result is a
// negated errno (a failed op, still a completion to deliver).
func completions(n int) []Completion {
	out := make([]Completion, n)
	for i := range out {
		res := int32(i * 10)
		if i%3 == 2 {
			res = -int32(4 + i%7) // -EINTR, -EIO, ...
		}
		out[i] = Completion{UserData: uint64(i), Res: res, Flags: uint32(i % 3)}
	}
	return out
}

func newRing(t *testing.T, size int, start uint32) (*CQ, *Kernel) {
	q := NewCQ(size, start)
	k := NewKernel(q)
	t.Cleanup(func() {
		if !check.Abandoned(t) {
			k.Stop()
		}
	})
	return q, k
}

// reaped is what the tests saw: each Reap call's count and the
// completions handed to fn.
type reaped struct {
	got    []Completion
	counts []int
}

// reapOnce calls Reap once under the deadline.
func reapOnce(t *testing.T, q *CQ) reaped {
	t.Helper()
	return check.Within(t, func() reaped {
		var r reaped
		r.counts = append(r.counts, q.Reap(func(c Completion) { r.got = append(r.got, c) }))
		return r
	})
}

// reapAll reaps until n completions came, waiting for the kernel's tail
// whenever a Reap finds nothing.
func reapAll(t *testing.T, q *CQ, n int) reaped {
	t.Helper()
	return check.WithinExplain(t,
		"reaping stalled: the kernel waits for room in the CQ. Does Reap store the head after copying the completions out?",
		func() reaped {
			var r reaped
			for len(r.got) < n {
				tail := q.Tail.Load()
				c := q.Reap(func(c Completion) { r.got = append(r.got, c) })
				r.counts = append(r.counts, c)
				if c == 0 {
					q.Tail.WaitChange(tail, nil)
				}
			}
			return r
		})
}

func list(cs []Completion) string {
	var b strings.Builder
	for i, c := range cs {
		fmt.Fprintf(&b, "\n\t#%d %v", i+1, c)
		if c.UserData&Reused == Reused {
			b.WriteString("   ← written by the kernel into a slot after it was released")
		}
	}
	if len(cs) == 0 {
		b.WriteString("\n\t(nothing)")
	}
	return b.String()
}

// verify compares what Reap delivered with what the kernel posted.
func verify(t *testing.T, k *Kernel, r reaped, want []Completion) {
	t.Helper()
	for _, p := range k.Problems() {
		t.Errorf("%s", p)
	}
	for _, c := range r.got {
		if c.UserData&Reused == Reused {
			t.Fatalf("Reap handed fn %v, which the kernel wrote into a slot after the head released it: "+
				"copy every completion out before storing the head.\ngot%s\nwant%s\nkernel log:%s", c, list(r.got), list(want), k.Log(40))
		}
	}
	if !slices.Equal(r.got, want) {
		t.Fatalf("Reap handed fn%s\nwant%s\nkernel log:%s", list(r.got), list(want), k.Log(40))
	}
	sum := 0
	for _, c := range r.counts {
		sum += c
	}
	if sum != len(r.got) {
		t.Errorf("Reap returned counts %v (sum %d) but called fn %d times: return how many it reaped", r.counts, sum, len(r.got))
	}
}

func TestReapCopiesOutWhatIsReady(t *testing.T) {
	defer check.Guard(t, exercise)
	q, k := newRing(t, 8, 0)
	cs := completions(5)
	k.Post(cs...)
	r := reapOnce(t, q)
	verify(t, k, r, cs)
	if r.counts[0] != 5 {
		t.Errorf("Reap returned %d, want 5", r.counts[0])
	}
	if got := q.Head.Load(); got != 5 {
		t.Errorf("after reaping 5 completions the head is %d, want 5: store it so the kernel can reuse the slots", got)
	}
	if n := q.Head.Stores(); n != 1 {
		t.Errorf("one Reap of 5 completions stored the head %d times, want once, after copying them all: each store is a write the kernel's CPU must see", n)
	}
}

func TestReapOnAnEmptyQueue(t *testing.T) {
	defer check.Guard(t, exercise)
	q, k := newRing(t, 4, 7)
	r := reapOnce(t, q)
	verify(t, k, r, nil)
	if r.counts[0] != 0 {
		t.Errorf("Reap of an empty queue returned %d, want 0", r.counts[0])
	}
	if got := q.Head.Load(); got != 7 {
		t.Errorf("Reap of an empty queue moved the head from 7 to %d", got)
	}
	// Then something arrives.
	cs := completions(3)
	k.Post(cs...)
	verify(t, k, reapOnce(t, q), cs)
}

func TestReapAFullQueueAcrossTheIndexWrap(t *testing.T) {
	defer check.Guard(t, exercise)
	// Head and tail start 2 short of 2³²: a full queue spans the wrap.
	var start uint32 = 1<<32 - 2
	q, k := newRing(t, 4, start)
	cs := completions(4)
	k.Post(cs...)
	r := reapOnce(t, q)
	verify(t, k, r, cs)
	if got, want := q.Head.Load(), start+4; got != want {
		t.Errorf("after reaping 4 completions from %d the head is %d, want %d", start, got, want)
	}
	more := completions(7)[4:]
	k.Post(more...)
	verify(t, k, reapOnce(t, q), more)
}

func TestReapWhileTheKernelPosts(t *testing.T) {
	defer check.Guard(t, exercise)
	noLeaks(t)
	// Run with -race: the detector checks the copy-then-release order
	// on every slot.
	q, k := newRing(t, 8, 1<<32-20)
	cs := completions(3000)
	k.PostAll(cs)
	r := reapAll(t, q, len(cs))
	verify(t, k, r, cs)
	if stores, calls := q.Head.Stores(), len(r.counts); stores > int64(calls) {
		t.Errorf("%d Reap calls stored the head %d times: store it once per Reap, after the copying", calls, stores)
	}
}

func TestReapWhileTheKernelTrickles(t *testing.T) {
	defer check.Guard(t, exercise)
	check.Within(t, func() int { return NewCQ(4, 0).Reap(func(Completion) {}) }) // not started: skip here
	for name, tr := range check.Trickles() {
		t.Run(name, func(t *testing.T) {
			defer check.Guard(t, exercise)
			noLeaks(t)
			// The kernel posts one, a few, or nothing at a time, across
			// the index wrap: each Reap takes what is there, no more.
			q, k := newRing(t, 8, 1<<32-10)
			k.Trickle = tr
			cs := completions(400)
			k.PostAll(cs)
			verify(t, k, reapAll(t, q, len(cs)), cs)
		})
	}
}
