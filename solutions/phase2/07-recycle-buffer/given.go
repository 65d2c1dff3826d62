package recyclebuf

// Everything in this file is given: a simulated provided-buffer ring and
// the kernel side that fills it. Your part is in stream.go.

import (
	"bytes"
	"fmt"
)

// CQE flags, as the kernel's IORING_CQE_F_*.
const (
	FlagBuffer = 1 << 0 // IORING_CQE_F_BUFFER: Flags>>16 is the buffer id
	FlagMore   = 1 << 1 // IORING_CQE_F_MORE: the multishot op goes on
)

// ENOBUFS is the errno a multishot RECV ends with when the ring has no
// buffer left.
const ENOBUFS = 105

// CQE is a completion: the user_data of the request, its result (bytes
// received, or a negated errno) and flags.
type CQE struct {
	UserData uint64
	Res      int32
	Flags    uint32
}

// BufferID returns the buffer the CQE names, and whether it names one.
func (c CQE) BufferID() (uint16, bool) { return uint16(c.Flags >> 16), c.Flags&FlagBuffer != 0 }

// Ring is a provided-buffer ring of equal buffers, with its kernel. This
// kernel takes the buffer given back last first, so after a few recycles
// the ids come in an order you cannot predict — as with a real kernel,
// whose order depends on who gave back what when: only the CQE says.
//
// The simulation adds one thing: when you Recycle a buffer, the kernel
// writes over it at once ('#' bytes) — the worst case of a kernel that
// had data waiting for a buffer. Whatever you still read from it is gone.
type Ring struct {
	bufs     [][]byte
	free     []uint16 // buffers the kernel may take; it takes the last
	held     []bool   // held[bid]: taken by the kernel, not yet recycled
	problems []string
}

// NewRing returns a ring of n buffers of size bytes, all available.
func NewRing(n, size int) *Ring {
	r := &Ring{bufs: make([][]byte, n), held: make([]bool, n)}
	for i := range r.bufs {
		r.bufs[i] = make([]byte, size)
		r.free = append(r.free, uint16(n-1-i)) // buffer 0 is taken first
	}
	return r
}

// Buf returns the whole of buffer bid: the first Res bytes are what the
// CQE naming it delivered.
func (r *Ring) Buf(bid uint16) []byte { return r.bufs[bid] }

// Available returns how many buffers the kernel may take now.
func (r *Ring) Available() int { return len(r.free) }

// Recycle gives buffer bid back to the kernel, which writes over it at
// once.
func (r *Ring) Recycle(bid uint16) {
	if int(bid) >= len(r.bufs) {
		r.problems = append(r.problems, fmt.Sprintf("Recycle(%d): there is no buffer %d (the ring has %d)", bid, bid, len(r.bufs)))
		return
	}
	if !r.held[bid] {
		r.problems = append(r.problems, fmt.Sprintf("Recycle(%d): buffer %d is already in the ring: recycled twice, or never delivered", bid, bid))
		return
	}
	r.held[bid] = false
	copy(r.bufs[bid], bytes.Repeat([]byte{'#'}, len(r.bufs[bid])))
	r.free = append(r.free, bid)
}

// Arrive is data arriving on the socket while a multishot RECV is armed:
// the kernel fills one buffer after another and returns their CQEs (each
// with FlagMore). If it runs out of buffers first, the last CQE is
// -ENOBUFS, without FlagMore, and rest is what it could not deliver.
func (r *Ring) Arrive(data []byte) (cqes []CQE, rest []byte) {
	for len(data) > 0 {
		if len(r.free) == 0 {
			return append(cqes, CQE{UserData: 1, Res: -ENOBUFS}), data
		}
		bid := r.free[len(r.free)-1]
		r.free = r.free[:len(r.free)-1]
		r.held[bid] = true
		n := copy(r.bufs[bid], data)
		data = data[n:]
		cqes = append(cqes, CQE{UserData: 1, Res: int32(n), Flags: FlagMore | FlagBuffer | uint32(bid)<<16})
	}
	return cqes, nil
}

// Problems returns what the ring found wrong.
func (r *Ring) Problems() []string { return r.problems }
