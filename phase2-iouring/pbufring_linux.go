//go:build linux

package iouring

import (
	"fmt"
	"math/bits"
	"os"
	"sync/atomic"
	"unsafe"

	"golang.org/x/sys/unix"
)

// BufRing is a provided-buffer ring (IORING_REGISTER_PBUF_RING, 5.19): a
// ring of buffer descriptors we fill and the kernel consumes. An op with
// SQEBufferSelect and this ring's group takes the next buffer only when its
// data arrives, and its CQE says which (CQE.BufferID). The buffer is then
// the reader's until it gives it back with Recycle.
//
// # Who writes what
//
//	entries   we write, between the kernel's head and our tail, before
//	          publishing them
//	tail      we write (the last 16 bits of entry 0, an atomic store)
//	head      the kernel keeps it to itself: we learn a buffer was taken
//	          only from the CQE that names it
//
// Buffers come from a BufferPool (outside the Go heap), so the kernel may
// write one at any time it holds it without anything pinned. Not safe for
// concurrent use: it belongs to the ring's executor.
type BufRing struct {
	ring  *Ring
	pool  *BufferPool
	mem   []byte // the descriptor ring, page-aligned, outside the Go heap
	descs []bufDesc
	mask  uint16
	group uint16
	tail  uint16 // next descriptor we fill; published by publish
	bid0  uint16 // the bid last written into entry 0 (see publish)
	out   int    // buffers the kernel holds or a reader holds: not in the ring
}

// bufDesc is struct io_uring_buf. The first one's last two bytes are the
// ring's tail (struct io_uring_buf_ring overlays them).
type bufDesc struct {
	Addr uint64
	Len  uint32
	Bid  uint16
	_    uint16 // in entry 0: the tail
}

// bufReg is struct io_uring_buf_reg.
type bufReg struct {
	RingAddr    uint64
	RingEntries uint32
	Bgid        uint16
	Flags       uint16
	_           [3]uint64
}

var (
	_ = [1]struct{}{}[unsafe.Sizeof(bufDesc{})-16]
	_ = [1]struct{}{}[unsafe.Sizeof(bufReg{})-40]
)

// NewBufRing registers group with the ring, backed by every buffer of pool
// (buffer i is bid i), all given to the kernel at once.
func NewBufRing(r *Ring, group uint16, pool *BufferPool) (*BufRing, error) {
	if pool.Len() > 1<<15 {
		return nil, fmt.Errorf("iouring: provided-buffer ring of %d buffers: at most 32768", pool.Len())
	}
	entries := 1 << bits.Len(uint(pool.Len()-1)) // a power of two, as the kernel requires
	size := (entries*int(unsafe.Sizeof(bufDesc{})) + os.Getpagesize() - 1) &^ (os.Getpagesize() - 1)
	mem, err := unix.Mmap(-1, 0, size, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS|unix.MAP_POPULATE)
	if err != nil {
		return nil, fmt.Errorf("iouring: mmap provided-buffer ring: %w", err)
	}
	b := &BufRing{ring: r, pool: pool, mem: mem, mask: uint16(entries - 1), group: group}
	b.descs = unsafe.Slice((*bufDesc)(unsafe.Pointer(&mem[0])), entries)
	reg := bufReg{RingAddr: uint64(uintptr(unsafe.Pointer(&mem[0]))), RingEntries: uint32(entries), Bgid: group}
	// The kernel pins the ring's pages during the call and keeps them; the
	// mapping outlives the registration (Close unregisters first).
	if err := r.register(registerPbufRing, unsafe.Pointer(&reg), 1); err != nil {
		unix.Munmap(mem)
		return nil, fmt.Errorf("iouring: IORING_REGISTER_PBUF_RING (group %d, %d buffers): %w", group, entries, err)
	}
	b.out = pool.Len()
	for i := range pool.Len() {
		b.push(uint16(i))
	}
	b.publish()
	return b, nil
}

// Group returns the buffer group id that SQEs name in BufIndex.
func (b *BufRing) Group() uint16 { return b.group }

// Buf returns the first n bytes of buffer bid: what a CQE naming bid with
// res n delivered. It stays valid until the buffer is recycled.
func (b *BufRing) Buf(bid uint16, n int) []byte { return b.pool.Buf(int(bid))[:n] }

// Available returns how many buffers the kernel may still take.
func (b *BufRing) Available() int { return b.pool.Len() - b.out }

// Taken notes that a CQE handed buffer bid out of the ring (the caller
// holds it until Recycle). Only the count for Available: the kernel needs
// nothing.
func (b *BufRing) Taken(bid uint16) { b.out++ }

// Recycle gives buffer bid back to the kernel.
func (b *BufRing) Recycle(bid uint16) {
	b.push(bid)
	b.publish()
}

// push writes a descriptor for bid at the tail, not yet visible.
func (b *BufRing) push(bid uint16) {
	i := b.tail & b.mask
	d := &b.descs[i]
	buf := b.pool.Buf(int(bid))
	// Field by field: in entry 0 the last two bytes are the tail, which
	// only publish writes.
	d.Addr = uint64(uintptr(unsafe.Pointer(&buf[0])))
	d.Len = uint32(len(buf))
	d.Bid = bid
	if i == 0 {
		b.bid0 = bid
	}
	b.tail++
	b.out--
}

// publish makes every pushed descriptor visible to the kernel by storing
// the tail. The tail is a 16-bit field and Go has no 16-bit atomic store:
// we store the aligned 32-bit word it shares with entry 0's bid, built from
// the bid we last wrote there (only we write either half). The kernel reads
// the tail with smp_load_acquire; our sequentially consistent store orders
// every descriptor written before it ahead of the new tail, and a reader of
// entry 0's bid sees the value it already had.
func (b *BufRing) publish() {
	var w [2]uint16
	w[0], w[1] = b.bid0, b.tail // memory order of (bid, resv) in entry 0
	word := (*uint32)(unsafe.Pointer(&b.descs[0].Bid))
	atomic.StoreUint32(word, *(*uint32)(unsafe.Pointer(&w)))
}

// Close unregisters the group (IORING_UNREGISTER_PBUF_RING, 5.19) and
// unmaps the descriptor ring. No op may still select from it. The pool is
// the caller's.
func (b *BufRing) Close() error {
	if b.mem == nil {
		return nil
	}
	reg := bufReg{Bgid: b.group}
	err := b.ring.register(unregisterPbufRing, unsafe.Pointer(&reg), 1)
	if err != nil {
		err = fmt.Errorf("iouring: IORING_UNREGISTER_PBUF_RING (group %d): %w", b.group, err)
	}
	if uerr := unix.Munmap(b.mem); err == nil && uerr != nil {
		err = uerr
	}
	b.mem, b.descs = nil, nil
	return err
}
