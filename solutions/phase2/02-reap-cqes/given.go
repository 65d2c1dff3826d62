package reapcqes

// Everything in this file is given: a completion queue in simulated
// shared memory, and a simulated kernel that fills it. Your part is in
// reap.go.

import (
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"

	"asyncworkbook/phases/check"
)

// Completion is a completion queue entry, as the kernel's io_uring_cqe: the
// user_data of the request it completes, its result (a byte count, a
// descriptor, or a negated errno), and flags.
type Completion struct {
	UserData uint64
	Res      int32
	Flags    uint32
}

// String shows c as the kernel's documentation does.
func (c Completion) String() string {
	return fmt.Sprintf("{user_data=%#x res=%d flags=%d}", c.UserData, c.Res, c.Flags)
}

// Index is one of the ring's index words — the head or the tail — in
// memory shared with the kernel. One side writes it, the other reads it,
// each on its own CPU, so both sides go through atomics: Load is
// atomic.LoadUint32, Store is atomic.StoreUint32.
//
// The simulation adds one thing: when you Store the head, the kernel
// reuses the slots you released at once — the worst case of a kernel
// posting completions on another CPU. Whatever the word promises must be
// true at the moment it is stored.
type Index struct {
	v       atomic.Uint32
	stores  atomic.Int64
	onStore func(v uint32) // the other side's reaction, on the storing goroutine, just as the store lands

	mu    sync.Mutex
	moved chan struct{} // closed at the next Store
}

// Load reads the word (atomic.LoadUint32).
func (x *Index) Load() uint32 { return x.v.Load() }

// Store writes the word (atomic.StoreUint32).
func (x *Index) Store(v uint32) {
	x.stores.Add(1)
	if x.onStore != nil {
		x.onStore(v)
	}
	x.v.Store(v)
	x.mu.Lock()
	if x.moved != nil {
		close(x.moved)
		x.moved = nil
	}
	x.mu.Unlock()
}

// Stores counts the Store calls.
func (x *Index) Stores() int64 { return x.stores.Load() }

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

// CQ is the completion queue: an array of completions and two
// free-running indexes. Head and Tail count completions since the ring
// was made (they wrap around at 2³², not at len(Entries)); the slot of
// position p is Entries[p&Mask]. The queue holds Tail-Head completions.
//
//	Tail  the kernel writes it after filling slots; you Load it
//	Head  you write it after copying completions out; the kernel Loads it
type CQ struct {
	Head, Tail Index
	Mask       uint32       // len(Entries)-1; len(Entries) is a power of two
	Entries    []Completion // shared with the kernel
}

// NewCQ returns an empty queue of size slots (a power of two) whose head
// and tail both start at start (a real ring starts at 0; tests start
// near 2³² to check the wrap-around).
func NewCQ(size int, start uint32) *CQ {
	if size <= 0 || size&(size-1) != 0 {
		panic(fmt.Sprintf("NewCQ: size %d is not a power of two", size))
	}
	q := &CQ{Mask: uint32(size - 1), Entries: make([]Completion, size)}
	q.Head.v.Store(start)
	q.Tail.v.Store(start)
	return q
}

// Reused is the UserData bit set on the entries the kernel writes into a
// slot the moment it is released: no request of ours has it.
const Reused uint64 = 0xdead << 48

// Kernel is the simulated kernel side of a CQ: it posts completions (fill
// slots, then store the tail) and, the instant you store the head, writes
// over the slots you released.
type Kernel struct {
	q    *CQ
	stop chan struct{}
	done chan struct{}

	mu       sync.Mutex
	log      []string
	problems []string
	headSeen uint32 // the head as of your last store
	running  bool

	// Trickle, if set before PostAll, is how many completions PostAll
	// posts at each step (one, a few, none, all that fit): a real kernel
	// does not fill the ring in one go.
	Trickle *check.Trickle
}

// NewKernel attaches a kernel to q.
func NewKernel(q *CQ) *Kernel {
	k := &Kernel{q: q, stop: make(chan struct{}), done: make(chan struct{}), headSeen: q.Head.Load()}
	q.Head.onStore = k.headStored
	return k
}

// headStored reuses the released slots at once (on your goroutine, before
// the store is visible: no race with the posting goroutine).
func (k *Kernel) headStored(head uint32) {
	k.mu.Lock()
	defer k.mu.Unlock()
	tail := k.q.Tail.Load()
	k.logf("head stored: %d → %d (%d released)", k.headSeen, head, head-k.headSeen)
	if head-k.headSeen > tail-k.headSeen {
		k.problemf("the head was stored as %d, past the tail %d: it released slots the kernel has not filled", head, tail)
		k.headSeen = head
		return
	}
	for p := k.headSeen; p != head; p++ {
		k.q.Entries[p&k.q.Mask] = Completion{UserData: Reused | uint64(p), Res: -9999}
	}
	k.headSeen = head
}

// Post posts cs now, on the calling goroutine. There must be room for
// them all (a test that does not reap meanwhile posts at most a ring's
// worth).
func (k *Kernel) Post(cs ...Completion) {
	q := k.q
	tail := q.Tail.Load() // only the kernel writes it
	head := q.Head.Load()
	if int(tail-head)+len(cs) > len(q.Entries) {
		panic(fmt.Sprintf("Post: %d completions do not fit (%d of %d slots in use)", len(cs), tail-head, len(q.Entries)))
	}
	k.fill(tail, cs)
	q.Tail.Store(tail + uint32(len(cs)))
}

func (k *Kernel) fill(tail uint32, cs []Completion) {
	q := k.q
	k.mu.Lock()
	for i, c := range cs {
		p := tail + uint32(i)
		q.Entries[p&q.Mask] = c
		k.logf("kernel posted position %d (slot %d): %v", p, p&q.Mask, c)
	}
	k.mu.Unlock()
}

// PostAll posts cs on a goroutine of the kernel's own, as fast as the
// ring has room: it fills every free slot, stores the tail, and waits for
// you to release slots when the ring is full. Stop ends it.
func (k *Kernel) PostAll(cs []Completion) {
	k.mu.Lock()
	k.running = true
	k.mu.Unlock()
	go func() {
		defer close(k.done)
		q := k.q
		for len(cs) > 0 {
			tail := q.Tail.Load()
			head := q.Head.Load()
			free := len(q.Entries) - int(tail-head)
			if free <= 0 {
				q.Head.WaitChange(head, k.stop)
				select {
				case <-k.stop:
					return
				default:
					continue
				}
			}
			n := min(free, len(cs))
			if k.Trickle != nil {
				if n = k.Trickle.Next(n); n == 0 {
					runtime.Gosched() // a step that posts nothing
					continue
				}
			}
			k.fill(tail, cs[:n])
			q.Tail.Store(tail + uint32(n))
			cs = cs[n:]
		}
	}()
}

// Stop ends PostAll's goroutine, if any, and waits for it.
func (k *Kernel) Stop() {
	select {
	case <-k.stop:
	default:
		close(k.stop)
	}
	k.mu.Lock()
	running := k.running
	k.mu.Unlock()
	if running {
		<-k.done
	}
}

// Problems returns what the kernel found wrong.
func (k *Kernel) Problems() []string {
	k.mu.Lock()
	defer k.mu.Unlock()
	return append([]string(nil), k.problems...)
}

// Log returns the kernel's log, the last max lines (all if max == 0),
// each on a new line starting with a tab.
func (k *Kernel) Log(max int) string {
	k.mu.Lock()
	defer k.mu.Unlock()
	lines := k.log
	var b strings.Builder
	if max > 0 && len(lines) > max {
		fmt.Fprintf(&b, "\n\t... %d earlier lines not shown", len(lines)-max)
		lines = lines[len(lines)-max:]
	}
	for _, l := range lines {
		b.WriteString("\n\t" + l)
	}
	if len(lines) == 0 {
		b.WriteString("\n\t(empty)")
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
