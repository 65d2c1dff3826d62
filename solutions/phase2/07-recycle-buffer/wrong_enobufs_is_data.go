//go:build wrong && wrong_enobufs_is_data

// This is a WRONG answer, kept to prove the tests reject it
// (go test -tags wrong,wrong_enobufs_is_data ./solutions/phase2/07-recycle-buffer/ must fail).
//
// The wrong idea: every CQE of the RECV is data; -ENOBUFS has Res < 0 and
// no buffer, and taking it as one reads (and recycles) buffer 0.

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
	bid, _ := c.BufferID()
	n := int(c.Res)
	if n < 0 {
		n = len(s.ring.Buf(bid))
	}
	s.queue = append(s.queue, held{bid: bid, data: s.ring.Buf(bid)[:n]})
}

// Read copies up to len(p) bytes of what was delivered, oldest first.
func (s *Stream) Read(p []byte) int {
	if len(s.queue) == 0 {
		return 0
	}
	h := &s.queue[0]
	n := copy(p, h.data)
	h.data = h.data[n:]
	if len(h.data) == 0 {
		s.ring.Recycle(h.bid)
		s.queue = s.queue[1:]
	}
	return n
}
