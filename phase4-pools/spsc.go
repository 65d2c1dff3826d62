package pools

import (
	"fmt"
	"sync/atomic"

	executor "asyncworkbook/phase1-executor"
	"asyncworkbook/phases/trace"
)

// SPSC is a bounded single-producer, single-consumer channel between two
// executors: a ring of slots, a tail only the sender writes and a head only
// the receiver writes, each on a cache line of its own so the two cores do
// not fight over one line on every message.
//
// # Waking only when someone waits
//
// A receiver that finds the ring empty leaves its waker in the channel and
// says so (recvWait: idle → waiting). The sender, after publishing a
// message, looks at that word: only if the receiver waits does it fire the
// waker — so a receiver that keeps up costs the sender one atomic load per
// message, not a wakeup. The waker itself goes through the receiver's
// executor, which touches its eventfd only if that executor is parked (phase
// 2's parked flag). The same handshake runs the other way for a sender
// waiting for room.
//
// # Batching
//
// Push writes a message without publishing it; Flush publishes every pushed
// message with one store of the tail (and at most one wake). Push flushes by
// itself every BatchSize messages, as Seastar's queues do at 16. Send is
// Push then Flush.
//
// Use it from exactly one sending task and one receiving task (they may
// live on different executors, on different threads). NewSPSC makes one;
// the zero value is not usable.
type SPSC[T any] struct {
	_ [cacheLine]byte
	// Sender's line: tail is published for the receiver; the rest is the
	// sender's own.
	tail       atomic.Uint64 // messages published; written only by the sender
	pushed     uint64        // messages written, published or not
	published  uint64        // the sender's copy of tail
	headCache  uint64        // last head the sender read: room it knows of
	woke       uint64        // receiver wakeups fired by Flush (the pool's trace reads it)
	sendClosed bool
	_          [cacheLine - 5*8 - 1]byte
	// Receiver's line.
	head      atomic.Uint64 // messages consumed and handed back; written only by the receiver
	taken     uint64        // messages copied out, handed back or not
	tailCache uint64        // last tail the receiver read
	_         [cacheLine - 3*8]byte

	buf    []T
	mask   uint64
	closed atomic.Bool // set by the sender's Close, after its last Flush

	recvWait waitSlot // the receiver waiting for a message
	sendWait waitSlot // the sender waiting for room

	wakes atomic.Uint64 // wakers fired, both directions
}

// cacheLine is 128 bytes, not 64: adjacent-line prefetch on x86 pulls
// lines in pairs, so 64-byte padding still lets the two sides contend.
const cacheLine = 128

// BatchSize is how many pushed messages Push lets wait before it flushes
// by itself.
const BatchSize = 16

// NewSPSC returns a channel holding up to capacity messages (rounded up to
// a power of two).
func NewSPSC[T any](capacity int) *SPSC[T] {
	if capacity < 1 || capacity > 1<<30 {
		panic(fmt.Sprintf("pools: NewSPSC(%d): capacity must be 1..2^30", capacity))
	}
	n := 1
	for n < capacity {
		n <<= 1
	}
	return &SPSC[T]{buf: make([]T, n), mask: uint64(n - 1)}
}

// Cap returns the number of slots.
func (c *SPSC[T]) Cap() int { return len(c.buf) }

// Len returns the number of published messages whose slots have not yet
// been handed back to the sender (received in part, in a batch not yet
// handed back). Any goroutine; a snapshot.
func (c *SPSC[T]) Len() int { return int(c.tail.Load() - c.head.Load()) }

// Wakes returns how many wakers the channel has fired.
func (c *SPSC[T]) Wakes() uint64 { return c.wakes.Load() }

// Push writes v into the next slot without publishing it, and reports
// false if the ring is full (nothing written). Sender only.
func (c *SPSC[T]) Push(v T) bool {
	if c.sendClosed {
		panic("pools: send on a closed SPSC channel")
	}
	if c.pushed-c.headCache == uint64(len(c.buf)) {
		// The receiver may have made room since we last looked. The load
		// pairs with its head store, which it makes after copying a
		// message out: a slot we see free is free.
		c.headCache = c.head.Load()
		if c.pushed-c.headCache == uint64(len(c.buf)) {
			return false
		}
	}
	c.buf[c.pushed&c.mask] = v
	c.pushed++
	if c.pushed-c.published >= BatchSize {
		c.Flush()
	}
	return true
}

// Flush publishes every pushed message and wakes the receiver if it
// waits. Sender only.
func (c *SPSC[T]) Flush() {
	if c.published == c.pushed {
		return
	}
	// The store publishes the slots written before it: a receiver that
	// loads this tail sees them.
	c.published = c.pushed
	c.tail.Store(c.pushed)
	// Store tail, then load the receiver's word; it stores its word, then
	// loads the tail. With sequentially consistent atomics one of us sees
	// the other: the message is never left unseen by a parked receiver.
	if c.recvWait.fire() {
		c.wakes.Add(1)
		c.woke++
	}
}

// TrySend pushes v and flushes: false if the ring is full.
func (c *SPSC[T]) TrySend(v T) bool {
	if !c.Push(v) {
		return false
	}
	c.Flush()
	return true
}

// Send returns a future that waits for room, then sends v.
func (c *SPSC[T]) Send(v T) executor.Future[struct{}] { return &spscSend[T]{c: c, v: v} }

// Close flushes and marks the channel closed: the receiver gets what was
// sent, then (zero, false). Sender only; Push after Close panics.
func (c *SPSC[T]) Close() {
	c.Flush()
	c.sendClosed = true
	c.closed.Store(true)
	if c.recvWait.fire() {
		c.wakes.Add(1)
	}
}

// TryRecv takes the next published message. Receiver only.
//
// Slots go back to the sender in batches too: the head is stored every
// BatchSize messages (every message on rings smaller than 2·BatchSize),
// and whenever the ring looks empty — so a sender waiting for room always
// hears of it before the receiver waits in turn.
func (c *SPSC[T]) TryRecv() (T, bool) {
	var zero T
	if c.taken == c.tailCache {
		c.tailCache = c.tail.Load() // pairs with Flush's store
		if c.taken == c.tailCache {
			c.handBack()
			return zero, false
		}
	}
	slot := &c.buf[c.taken&c.mask]
	v := *slot
	*slot = zero // let a received pointer be collected
	c.taken++
	if c.taken-c.head.Load() >= c.recvBatch() {
		c.handBack()
	}
	return v, true
}

func (c *SPSC[T]) recvBatch() uint64 {
	if len(c.buf) < 2*BatchSize {
		return 1
	}
	return BatchSize
}

// handBack stores the head: every slot copied out so far is the sender's
// again (the copies are done before the store).
func (c *SPSC[T]) handBack() {
	if c.head.Load() == c.taken {
		return
	}
	c.head.Store(c.taken)
	// Store head, then load the sender's word: the same handshake as Flush.
	if c.sendWait.fire() {
		c.wakes.Add(1)
	}
}

// Recv returns a future yielding the next message, or OK false once the
// channel is closed and drained.
func (c *SPSC[T]) Recv() executor.Future[executor.RecvResult[T]] { return spscRecv[T]{c: c} }

type spscRecv[T any] struct{ c *SPSC[T] }

func (r spscRecv[T]) Poll(cx *executor.Context) executor.Poll[executor.RecvResult[T]] {
	c := r.c
	ready := func() bool { return c.tail.Load() != c.taken || c.closed.Load() }
	for {
		if v, ok := c.TryRecv(); ok {
			return executor.PollReady(executor.RecvResult[T]{Value: v, OK: true})
		}
		if c.closed.Load() {
			// Closed is stored after the last Flush: drain once more.
			if v, ok := c.TryRecv(); ok {
				return executor.PollReady(executor.RecvResult[T]{Value: v, OK: true})
			}
			return executor.PollReady(executor.RecvResult[T]{})
		}
		if !c.recvWait.wait(cx, "spsc (recv)", ready) {
			return executor.Pending[executor.RecvResult[T]]()
		}
	}
}

type spscSend[T any] struct {
	c *SPSC[T]
	v T
}

func (s *spscSend[T]) Poll(cx *executor.Context) executor.Poll[struct{}] {
	c := s.c
	room := func() bool { return c.pushed-c.head.Load() < uint64(len(c.buf)) }
	for {
		if c.TrySend(s.v) {
			return executor.PollReady(struct{}{})
		}
		if !c.sendWait.wait(cx, "spsc (send)", room) {
			return executor.Pending[struct{}]()
		}
	}
}

// waitSlot is where one side leaves its waker for the other.
//
//	state     who moves it                     meaning
//	idle      the waiter (back from waiting)   nobody waits
//	waiting   the waiter, after storing waker  fire me when ready
//	waking    the firer, CAS from waiting      the firer owns waker now
//	idle      the firer, after copying waker   the waiter may write again
//
// The waker field is written only by the waiter in state idle, and read
// only by the firer in state waking: the CAS hands it over.
type waitSlot struct {
	state atomic.Uint32
	waker executor.Waker
}

// testHookBeforeWaiting runs, in tests, between a waiter's failed try and
// its store of slotWaiting: the window in which the other side acts without
// seeing anyone wait.
var testHookBeforeWaiting func()

const (
	slotIdle uint32 = iota
	slotWaiting
	slotWaking
)

// wait leaves cx's waker in the slot, then checks ready once more (the
// other side may have acted before it could see us waiting). It returns
// true if the caller should try again now, false if it should return
// Pending (it will be woken).
func (s *waitSlot) wait(cx *executor.Context, holder string, ready func() bool) bool {
	switch s.state.Load() {
	case slotWaking:
		return false // a wake is on its way
	case slotWaiting:
		if !s.state.CompareAndSwap(slotWaiting, slotIdle) {
			return false // the other side took the waker and fires it
		}
	}
	s.waker = cx.WakerFor(holder) // the newest waker: the task may have moved
	if testHookBeforeWaiting != nil {
		testHookBeforeWaiting()
	}
	s.state.Store(slotWaiting)
	if ready() {
		if s.state.CompareAndSwap(slotWaiting, slotIdle) {
			return true // take it back and go again
		}
		return false // fired meanwhile: we will be polled
	}
	return false
}

// fire wakes the waiter if there is one, and reports whether it did.
func (s *waitSlot) fire() bool {
	if s.state.Load() != slotWaiting || !s.state.CompareAndSwap(slotWaiting, slotWaking) {
		return false
	}
	w := s.waker
	s.state.Store(slotIdle)
	w.WakeBy(trace.SourceGoroutine)
	return true
}
