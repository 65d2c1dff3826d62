//go:build !wrong

// Package recyclebuf is exercise phase2/07-recycle-buffer: a stream that
// reads from the buffers a multishot RECV names, and gives each back to
// the ring when, and only when, it is done with it.
package recyclebuf

// Stream is the receive side of one connection.
type Stream struct {
	ring  *Ring
	queue []held // delivered, not yet read out, oldest first

}

// held is a buffer the stream holds and the bytes of it not yet read.
type held struct {
	bid  uint16
	data []byte
}

// NewStream returns a stream reading from ring's buffers.
func NewStream(ring *Ring) *Stream { return &Stream{ring: ring} }

// Deliver takes one CQE of the stream's multishot RECV.
func (s *Stream) Deliver(c CQE) {
	bid, ok := c.BufferID()
	if !ok || c.Res <= 0 {
		return // -ENOBUFS (or the end): no buffer, no data
	}
	s.queue = append(s.queue, held{bid: bid, data: s.ring.Buf(bid)[:c.Res]})
}

// Read copies up to len(p) bytes of what was delivered, oldest first, and
// returns how many; 0 when nothing is waiting.
func (s *Stream) Read(p []byte) int {
	if len(s.queue) == 0 {
		return 0
	}
	h := &s.queue[0]
	n := copy(p, h.data)
	h.data = h.data[n:]
	if len(h.data) == 0 {
		s.ring.Recycle(h.bid) // read out: only now may the kernel reuse it
		s.queue = s.queue[1:]
	}
	return n
}
