package tracestate

import (
	"testing"

	"asyncworkbook/phases/trace"
)

// The fast-path events (issue 10) explain themselves, and the ring state
// keeps the latest occupancy whatever event carries it: a state that
// kept the first it saw, or ignored bufs-recycled, shows a stale ring.
func TestExplainFastPaths(t *testing.T) {
	fixedPrep := prep(2, "RECV", 0x200000000, 3, 0, 1)
	fixedPrep.Fixed = true
	directPrep := prep(2, "ACCEPT", 0x100000000, 9, 0, 1)
	directPrep.Note = "direct: into file slot 1 (no descriptor)"
	for _, tc := range []struct {
		ev   trace.Event
		want string
	}{
		{fixedPrep, "T2 prepared a RECV on registered-file slot 3 (IOSQE_FIXED_FILE: no descriptor lookup) (user_data 0x200000000) in SQ slot 0: it waits in the SQ until the turn's io_uring_enter."},
		{directPrep, "T2 prepared an ACCEPT on fd 9 (user_data 0x100000000) in SQ slot 0: it waits in the SQ until the turn's io_uring_enter. It is a direct descriptor's: into file slot 1 (no descriptor)."},
		{trace.Event{Kind: trace.BufsRecycled, Count: 1, Bufs: trace.BufRingPos{Buffers: 8, Kernel: 6, Recycled: 3}},
			"A reader read a provided buffer out and gave 1 back to the ring (its tail moved, no system call): the kernel has 6 of 8 to fill; readers hold 2."},
		{trace.Event{Kind: trace.SlotsUpdated, FD: 7, Note: "slot 0 ← fd 7 (registered for fixed ops)", Files: trace.FileTablePos{Slots: 4, Used: 2, Direct: 1}},
			"IORING_REGISTER_FILES_UPDATE (a system call, outside the ring): slot 0 ← fd 7 (registered for fixed ops). The table has 2 of 4 slots in use, 1 of them direct descriptors."},
	} {
		s := run(tc.ev)
		if got := s.Explain(&s.Last); got != tc.want {
			t.Errorf("%v:\n got %s\nwant %s", s.Last, got, tc.want)
		}
	}
}

func TestRingKeepsTheLatestOccupancy(t *testing.T) {
	b1 := trace.BufRingPos{Buffers: 4, Kernel: 4}
	b2 := trace.BufRingPos{Buffers: 4, Kernel: 3}
	b3 := trace.BufRingPos{Buffers: 4, Kernel: 4, Recycled: 1}
	f1 := trace.FileTablePos{Slots: 4, Used: 1, Direct: 1}
	f2 := trace.FileTablePos{Slots: 4}
	p := prep(1, "RECV", 1, 3, 0, 1)
	p.Bufs, p.Files = b1, f1
	c := cqe(1, "RECV", 1, 5, 1, 0, 1)
	c.Note, c.Bufs, c.Files = "multishot: F_MORE, the op goes on, buffer 0", b2, f1
	rec := trace.Event{Kind: trace.BufsRecycled, Count: 1, Bufs: b3, Files: f1}
	upd := trace.Event{Kind: trace.SlotsUpdated, FD: -1, Note: "slot 0 emptied", Files: f2}
	s := run(p)
	if !s.Ring.HasBufs || s.Ring.Bufs != b1 || s.Ring.Files != f1 {
		t.Fatalf("after the SQE: %+v %+v", s.Ring.Bufs, s.Ring.Files)
	}
	s = run(p, c)
	if s.Ring.Bufs != b2 {
		t.Fatalf("after the CQE: %+v", s.Ring.Bufs)
	}
	s = run(p, c, rec, upd)
	if s.Ring.Bufs != b3 || s.Ring.Recycles != 1 || s.Ring.Files != f2 || s.Ring.SlotUpdates != 1 || s.Ring.LastSlot != "slot 0 emptied" {
		t.Fatalf("after recycle and update: %+v", s.Ring)
	}
	// An event without fast-path fields changes nothing.
	s = run(p, c, rec, upd, trace.Event{Kind: trace.Submitted, Count: 0, SQ: trace.RingPos{Entries: 8, Head: 1, Tail: 1}})
	if s.Ring.Bufs != b3 || s.Ring.Files != f2 {
		t.Fatalf("an event without Bufs/Files reset them: %+v %+v", s.Ring.Bufs, s.Ring.Files)
	}
	if len(s.Ring.Ops) != 1 {
		t.Fatalf("%d ops in flight, want the multishot RECV", len(s.Ring.Ops))
	}
}
