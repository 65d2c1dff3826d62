package recyclebuf

import (
	"bytes"
	"testing"

	"asyncworkbook/phases/check"
)

const exercise = "phase2/07-recycle-buffer"

// payload returns n bytes that are easy to tell apart (and never '#').
func payload(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = 'a' + byte(i%26)
	}
	return b
}

// deliverAll hands every CQE to the stream.
func deliverAll(s *Stream, cqes []CQE) {
	for _, c := range cqes {
		s.Deliver(c)
	}
}

// readAll reads in chunks of size until Read returns 0.
func readAll(s *Stream, size int) []byte {
	var out []byte
	p := make([]byte, size)
	for {
		n := s.Read(p)
		if n == 0 {
			return out
		}
		out = append(out, p[:n]...)
	}
}

func noProblems(t *testing.T, r *Ring) {
	t.Helper()
	for _, p := range r.Problems() {
		t.Error(p)
	}
}

func TestReadGetsEveryByteInOrder(t *testing.T) {
	defer check.Guard(t, exercise)
	r := NewRing(4, 8)
	s := NewStream(r)
	want := payload(20) // three buffers: 8 + 8 + 4
	cqes, rest := r.Arrive(want)
	if rest != nil {
		t.Fatalf("setup: the ring had no room")
	}
	deliverAll(s, cqes)
	got := readAll(s, 5)
	if !bytes.Equal(got, want) {
		t.Fatalf("read %q, want %q ('#' bytes: read from a buffer after it was recycled)", got, want)
	}
	if r.Available() != 4 {
		t.Errorf("after every byte was read %d of 4 buffers are back in the ring: recycle each buffer once it is read out", r.Available())
	}
	noProblems(t, r)
}

func TestABufferGoesBackOnlyWhenReadOut(t *testing.T) {
	defer check.Guard(t, exercise)
	r := NewRing(2, 8)
	s := NewStream(r)
	cqes, _ := r.Arrive(payload(8))
	deliverAll(s, cqes)
	p := make([]byte, 3)
	if n := s.Read(p); n != 3 || string(p) != "abc" {
		t.Fatalf("first Read(3) = %d %q, want 3 \"abc\"", n, p[:n])
	}
	if r.Available() != 1 {
		t.Fatalf("with 5 bytes of the buffer still unread, %d of 2 buffers are in the ring, want 1: the kernel would write over the unread bytes", r.Available())
	}
	p = make([]byte, 10)
	if n := s.Read(p); n != 5 || string(p[:n]) != "defgh" {
		t.Fatalf("second Read = %d %q, want 5 \"defgh\"", n, p[:n])
	}
	if r.Available() != 2 {
		t.Errorf("the buffer was read out but %d of 2 are in the ring, want 2", r.Available())
	}
	if n := s.Read(p); n != 0 {
		t.Errorf("Read with nothing delivered = %d, want 0", n)
	}
	noProblems(t, r)
}

// A long stream through a small ring: it only gets through if buffers go
// back as they are read, and after a few rounds the kernel hands the ids
// out in no particular order.
func TestALongStreamThroughASmallRing(t *testing.T) {
	defer check.Guard(t, exercise)
	r := NewRing(3, 16)
	s := NewStream(r)
	want := payload(5000)
	var got []byte
	off := 0 // bytes of want the kernel has taken
	chunk := []int{7, 30, 1, 16, 45, 3}
	reads := []int{5, 16, 2, 40}
	for i := 0; off < len(want) || len(got) < len(want); i++ {
		if i > 100_000 {
			t.Fatalf("no progress after %d rounds: %d of %d bytes read, %d buffers in the ring (are buffers recycled?)", i, len(got), len(want), r.Available())
		}
		if off < len(want) {
			n := min(len(want)-off, chunk[i%len(chunk)])
			cqes, rest := r.Arrive(want[off : off+n])
			deliverAll(s, cqes)
			off += n - len(rest) // the rest arrives again next round
		}
		p := make([]byte, reads[i%len(reads)])
		n := s.Read(p)
		got = append(got, p[:n]...)
	}
	if !bytes.Equal(got, want) {
		i := 0
		for i < len(got) && got[i] == want[i] {
			i++
		}
		t.Fatalf("read %d bytes, first difference at byte %d: got %q, want %q", len(got), i, got[i:min(i+16, len(got))], want[i:min(i+16, len(want))])
	}
	if r.Available() != 3 {
		t.Errorf("%d of 3 buffers back in the ring at the end", r.Available())
	}
	noProblems(t, r)
}

// -ENOBUFS ends the multishot RECV: a CQE with no buffer, and no data.
func TestAnENOBUFSCompletionIsNotData(t *testing.T) {
	defer check.Guard(t, exercise)
	r := NewRing(1, 4)
	s := NewStream(r)
	cqes, rest := r.Arrive(payload(6))
	if len(cqes) != 2 || cqes[1].Res != -ENOBUFS || len(rest) != 2 {
		t.Fatalf("setup: %v %q", cqes, rest)
	}
	deliverAll(s, cqes)
	got := readAll(s, 8)
	if string(got) != "abcd" {
		t.Fatalf("read %q, want \"abcd\" (and nothing for the -ENOBUFS CQE)", got)
	}
	// The rest arrives once the buffer is back.
	cqes, _ = r.Arrive(rest)
	deliverAll(s, cqes)
	if got := readAll(s, 8); string(got) != "ef" {
		t.Fatalf("after re-arming, read %q, want \"ef\"", got)
	}
	noProblems(t, r)
}

// The kernel decides which buffer the next packet goes into; only the
// CQE says. Here two buffers go back and the next packet lands in the one
// given back last, not in the next one by count.
func TestTheCQENamesTheBuffer(t *testing.T) {
	defer check.Guard(t, exercise)
	r := NewRing(3, 4)
	s := NewStream(r)
	cqes, _ := r.Arrive([]byte("aaaabbbbcccc")) // buffers 0, 1, 2
	deliverAll(s, cqes)
	p := make([]byte, 4)
	for _, want := range []string{"aaaa", "bbbb"} {
		if n := s.Read(p); string(p[:n]) != want {
			t.Fatalf("Read = %q, want %q", p[:n], want)
		}
	}
	cqes, _ = r.Arrive([]byte("dddd"))
	if bid, _ := cqes[0].BufferID(); bid != 1 {
		t.Fatalf("setup: the kernel filled buffer %d, want 1", bid)
	}
	deliverAll(s, cqes)
	if got := string(readAll(s, 4)); got != "ccccdddd" {
		t.Fatalf("read %q, want \"ccccdddd\": the data is in the buffer the CQE names", got)
	}
	noProblems(t, r)
}
