package pushsqe

// Everything in this file is given: a submission queue in simulated shared
// memory, and a simulated kernel that consumes it. Your part is in push.go.

import (
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"

	"asyncworkbook/phases/check"
)

// Entry is a submission queue entry, cut down to what this exercise needs
// (the kernel's io_uring_sqe is 64 bytes and has many more fields).
type Entry struct {
	Op       uint8
	Fd       int32
	Off      uint64
	Len      uint32
	UserData uint64
}

// Index is one of the ring's index words — the head or the tail — in
// memory shared with the kernel. One side writes it, the other reads it,
// each on its own CPU, so both sides go through atomics: Load is
// atomic.LoadUint32, Store is atomic.StoreUint32 (Go's atomics are
// sequentially consistent, at least the release/acquire pair the kernel
// expects).
//
// The simulation adds one thing: right after a Store, the other side is
// told at once and looks, on the storing goroutine — the worst case of a
// kernel polling the word from another CPU (IORING_SETUP_SQPOLL does
// exactly that). Whatever the word promises must be true at the moment it
// is stored.
type Index struct {
	v       atomic.Uint32
	stores  atomic.Int64
	onStore func(v uint32) // the other side's look, set before any Store

	mu    sync.Mutex
	moved chan struct{} // closed at the next Store
}

// Load reads the word (atomic.LoadUint32).
func (x *Index) Load() uint32 { return x.v.Load() }

// Store writes the word (atomic.StoreUint32); the other side looks at
// once.
func (x *Index) Store(v uint32) {
	x.v.Store(v)
	x.stores.Add(1)
	if x.onStore != nil {
		x.onStore(v)
	}
	x.mu.Lock()
	if x.moved != nil {
		close(x.moved)
		x.moved = nil
	}
	x.mu.Unlock()
}

// Stores counts the Store calls.
func (x *Index) Stores() int64 { return x.stores.Load() }

// changed returns a channel closed at the next Store.
func (x *Index) changed() <-chan struct{} {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.moved == nil {
		x.moved = make(chan struct{})
	}
	return x.moved
}

// WaitChange blocks until the word holds something other than old, or
// stop is closed (stop may be nil).
func (x *Index) WaitChange(old uint32, stop <-chan struct{}) {
	for {
		ch := x.changed()
		if x.Load() != old {
			return
		}
		select {
		case <-ch:
		case <-stop:
			return
		}
	}
}

// SQ is the submission queue: an array of entries and two free-running
// indexes. Head and Tail count entries since the ring was made (they wrap
// around at 2³², not at len(Entries)); the slot of position p is
// Entries[p&Mask]. The queue holds Tail-Head entries.
//
//	Head  the kernel writes it after consuming entries; you Load it
//	Tail  you write it after filling entries; the kernel Loads it
type SQ struct {
	Head, Tail Index
	Mask       uint32  // len(Entries)-1; len(Entries) is a power of two
	Entries    []Entry // shared with the kernel
}

// NewSQ returns an empty queue of size entries (a power of two) whose
// head and tail both start at start (a real ring starts at 0; tests start
// near 2³² to check the wrap-around).
func NewSQ(size int, start uint32) *SQ {
	if size <= 0 || size&(size-1) != 0 {
		panic(fmt.Sprintf("NewSQ: size %d is not a power of two", size))
	}
	q := &SQ{Mask: uint32(size - 1), Entries: make([]Entry, size)}
	q.Head.v.Store(start)
	q.Tail.v.Store(start)
	return q
}

// Kernel is the simulated kernel side of an SQ. At every store of the
// tail it looks at the entries just published (what they hold at that
// instant); once started, a goroutine of its own consumes them — loading
// the tail, reading the entries, storing the head — as the kernel's
// submission thread would.
type Kernel struct {
	q       *SQ
	stop    chan struct{}
	done    chan struct{}
	running atomic.Bool
	// Trickle, if set before Start, is how many of the published entries
	// the kernel consumes at each step (one, a few, all): a real kernel
	// does not always take everything at once.
	Trickle *check.Trickle

	mu        sync.Mutex
	published uint32  // the tail as of the last store
	seen      []Entry // each published entry, as it was when its tail was stored
	taken     []Entry // each consumed entry, in order
	log       []string
	problems  []string
	took      chan struct{} // closed when taken grows
}

// NewKernel attaches a kernel to q. It watches tail stores at once; call
// Start to let it consume.
func NewKernel(q *SQ) *Kernel {
	k := &Kernel{q: q, stop: make(chan struct{}), done: make(chan struct{}), published: q.Tail.Load()}
	q.Tail.onStore = k.tailStored
	return k
}

// tailStored is the kernel's look at a tail store (on the storing
// goroutine).
func (k *Kernel) tailStored(tail uint32) {
	k.mu.Lock()
	defer k.mu.Unlock()
	n := tail - k.published
	head := k.q.Head.Load()
	k.logf("tail stored: %d → %d (%d new)", k.published, tail, n)
	if tail-head > uint32(len(k.q.Entries)) {
		k.problemf("the tail was stored as %d while the head is %d: that is %d entries in a ring of %d — entries the kernel has not read yet were overwritten",
			tail, head, tail-head, len(k.q.Entries))
		k.published = tail
		return
	}
	for p := k.published; p != tail; p++ {
		e := k.q.Entries[p&k.q.Mask]
		k.seen = append(k.seen, e)
		k.logf("  at the store, position %d (slot %d) holds %+v", p, p&k.q.Mask, e)
	}
	k.published = tail
}

// Start starts the consuming goroutine. Stop ends it.
func (k *Kernel) Start() {
	if k.running.CompareAndSwap(false, true) {
		go k.run()
	}
}

func (k *Kernel) run() {
	defer close(k.done)
	q := k.q
	for {
		head := q.Head.Load() // only the kernel writes it
		tail := q.Tail.Load()
		if head == tail {
			q.Tail.WaitChange(tail, k.stop)
			select {
			case <-k.stop:
				return
			default:
				continue
			}
		}
		if tail-head > uint32(len(q.Entries)) {
			k.mu.Lock()
			k.problemf("the kernel loaded tail %d and head %d: more entries than the ring holds (%d)", tail, head, len(q.Entries))
			k.mu.Unlock()
			head = tail - uint32(len(q.Entries))
		}
		if k.Trickle != nil {
			n := k.Trickle.Next(int(tail - head))
			if n == 0 {
				runtime.Gosched() // a step that consumes nothing
				continue
			}
			tail = head + uint32(n)
		}
		var got []Entry
		for p := head; p != tail; p++ {
			got = append(got, q.Entries[p&q.Mask])
		}
		k.mu.Lock()
		for i, e := range got {
			k.logf("kernel consumed position %d (slot %d): %+v", head+uint32(i), (head+uint32(i))&q.Mask, e)
		}
		k.taken = append(k.taken, got...)
		if k.took != nil {
			close(k.took)
			k.took = nil
		}
		k.mu.Unlock()
		q.Head.Store(tail) // the slots are free again
	}
}

// Stop ends the consuming goroutine, if started, and waits for it.
func (k *Kernel) Stop() {
	select {
	case <-k.stop:
	default:
		close(k.stop)
	}
	if k.running.Load() {
		<-k.done
	}
}

// WaitTaken blocks until the kernel has consumed at least n entries and
// returns them all.
func (k *Kernel) WaitTaken(n int) []Entry {
	for {
		k.mu.Lock()
		if len(k.taken) >= n {
			out := append([]Entry(nil), k.taken...)
			k.mu.Unlock()
			return out
		}
		if k.took == nil {
			k.took = make(chan struct{})
		}
		ch := k.took
		k.mu.Unlock()
		select {
		case <-ch:
		case <-k.stop:
			k.mu.Lock()
			out := append([]Entry(nil), k.taken...)
			k.mu.Unlock()
			return out
		}
	}
}

// Seen returns each published entry as it was when its tail was stored.
func (k *Kernel) Seen() []Entry {
	k.mu.Lock()
	defer k.mu.Unlock()
	return append([]Entry(nil), k.seen...)
}

// Problems returns what the kernel found wrong.
func (k *Kernel) Problems() []string {
	k.mu.Lock()
	defer k.mu.Unlock()
	return append([]string(nil), k.problems...)
}

// Log returns the kernel's log, the last max lines (all if max == 0; the
// first -max lines if max < 0), each on a new line starting with a tab.
func (k *Kernel) Log(max int) string {
	k.mu.Lock()
	defer k.mu.Unlock()
	lines := k.log
	var b strings.Builder
	later := 0
	switch {
	case max > 0 && len(lines) > max:
		fmt.Fprintf(&b, "\n\t... %d earlier lines not shown", len(lines)-max)
		lines = lines[len(lines)-max:]
	case max < 0 && len(lines) > -max:
		later = len(lines) + max
		lines = lines[:-max]
	}
	for _, l := range lines {
		b.WriteString("\n\t" + l)
	}
	if len(lines) == 0 {
		b.WriteString("\n\t(empty)")
	}
	if later > 0 {
		fmt.Fprintf(&b, "\n\t... %d later lines not shown", later)
	}
	return b.String()
}

func (k *Kernel) logf(format string, args ...any) {
	if len(k.log) < 1<<14 {
		k.log = append(k.log, fmt.Sprintf(format, args...))
	}
}

func (k *Kernel) problemf(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	k.problems = append(k.problems, msg)
	k.logf("PROBLEM: %s", msg)
}
