//go:build wrong && wrong_recycle_after_first_read

// This is a WRONG answer, kept to prove the tests reject it
// (go test -tags wrong,wrong_recycle_after_first_read ./solutions/phase2/07-recycle-buffer/ must fail).
//
// The wrong idea: recycle a buffer in the first Read that copies from it,
// keeping the slice for the rest: the kernel writes over the unread bytes.

// Package recyclebuf is exercise phase2/07-recycle-buffer: a stream that
// reads from the buffers a multishot RECV names, and gives each back to
// the ring when, and only when, it is done with it.
package recyclebuf

// Stream is the receive side of one connection.
type Stream struct {
	ring  *Ring
	queue []held
	count int
}

type held struct {
	bid      uint16
	data     []byte
	recycled bool
}

// NewStream returns a stream reading from ring's buffers.
func NewStream(ring *Ring) *Stream { return &Stream{ring: ring} }

// Deliver takes one CQE of the stream's multishot RECV.
func (s *Stream) Deliver(c CQE) {
	bid, ok := c.BufferID()
	if !ok || c.Res <= 0 {
		return
	}
	s.queue = append(s.queue, held{bid: bid, data: s.ring.Buf(bid)[:c.Res]})
}

// Read copies up to len(p) bytes of what was delivered, oldest first.
func (s *Stream) Read(p []byte) int {
	if len(s.queue) == 0 {
		return 0
	}
	h := &s.queue[0]
	n := copy(p, h.data)
	h.data = h.data[n:]
	if !h.recycled {
		s.ring.Recycle(h.bid)
		h.recycled = true
	}
	if len(h.data) == 0 {
		s.queue = s.queue[1:]
	}
	return n
}
