package check

import (
	"reflect"
	"testing"

	"asyncworkbook/phases/trace"
)

// TestSeqOrderPassesEventsOnInSequence: an event numbered before another
// but handed over after it (a waker's event overtaken by the loop's) is
// passed on in its place; time never goes back; flush passes on what a
// gap still holds.
func TestSeqOrderPassesEventsOnInSequence(t *testing.T) {
	rec := trace.NewRecorder(16)
	s := newSeqOrder(rec)
	in := []trace.Event{
		{Exec: 1, Seq: 1, Time: 10},
		{Exec: 1, Seq: 3, Time: 30},
		{Exec: 2, Seq: 1, Time: 5},  // another executor: its own numbering
		{Exec: 1, Seq: 2, Time: 35}, // numbered second, read the clock last
		{Exec: 1, Seq: 5, Time: 50},
		{Exec: 1, Seq: 6, Time: 60},
	}
	for i := range in {
		s.Event(&in[i])
	}
	var got []uint64
	for _, e := range rec.Events() {
		got = append(got, uint64(e.Exec)*100+e.Seq)
	}
	if want := []uint64{101, 201, 102, 103}; !reflect.DeepEqual(got, want) {
		t.Fatalf("passed on %v (exec*100+seq), want %v: 5 and 6 wait for 4", got, want)
	}
	if e := rec.Events()[3]; e.Time != 35 {
		t.Errorf("seq 3 has time %d, want 35 (not before seq 2's)", e.Time)
	}
	s.flush()
	evs := rec.Events()
	if len(evs) != 6 || evs[4].Seq != 5 || evs[5].Seq != 6 {
		t.Fatalf("after flush: %v, want 5 and 6 passed on in order", evs)
	}
}

// TestFakeRingKeepsTheQueuesLikeAKernel: SQ tail moves at each SQE, the
// head at the enter; the CQ tail at each post, the head once after the
// batch; CQEs name the task that asked, or none for an orphan.
func TestFakeRingKeepsTheQueuesLikeAKernel(t *testing.T) {
	rec := trace.NewRecorder(32)
	r := NewFakeRing(NewClock(rec), 4)
	r.Prepare(1, "READ", 7, 0x10)
	r.Prepare(2, "READ", 8, 0x20)
	if n := r.Submit(true); n != 2 {
		t.Fatalf("Submit = %d, want 2", n)
	}
	r.Cancel(0x20)
	r.Post(0x20, -125)
	r.Post(0x10, 5)
	var handled []uint64
	r.Reap(func(ud uint64) bool { return ud == 0x20 }, func(ud uint64, _ int32) { handled = append(handled, ud) })
	evs := rec.Events()
	want := []struct {
		kind   trace.Kind
		task   uint64
		sq, cq trace.RingPos
	}{
		{trace.SQEPrepared, 1, pos(4, 0, 1), pos(4, 0, 0)},
		{trace.SQEPrepared, 2, pos(4, 0, 2), pos(4, 0, 0)},
		{trace.Submitted, 0, pos(4, 2, 2), pos(4, 0, 0)},
		{trace.OpCancelled, 2, pos(4, 2, 2), pos(4, 0, 0)},
		{trace.CQEReaped, 0, pos(4, 2, 2), pos(4, 0, 2)},
		{trace.CQEReaped, 1, pos(4, 2, 2), pos(4, 0, 2)},
	}
	if len(evs) != len(want) {
		t.Fatalf("%d events, want %d: %v", len(evs), len(want), evs)
	}
	for i, w := range want {
		e := evs[i]
		if e.Seq != uint64(i+1) || e.Kind != w.kind || e.Task != w.task || e.SQ != w.sq || e.CQ != w.cq {
			t.Errorf("event %d: %v sq=%+v cq=%+v, want #%d %s T%d sq=%+v cq=%+v", i+1, e, e.SQ, e.CQ, i+1, w.kind, w.task, w.sq, w.cq)
		}
	}
	if !reflect.DeepEqual(handled, []uint64{0x20, 0x10}) {
		t.Errorf("handled %#x, want the CQEs in the order posted", handled)
	}
	r.Prepare(1, "READ", 7, 0x30)
	if e := rec.Events()[len(rec.Events())-1]; e.CQ != (pos(4, 2, 2)) {
		t.Errorf("after the batch the CQ is %+v, want head stored once at 2", e.CQ)
	}
	if got := r.InFlight(); !reflect.DeepEqual(got, []uint64{0x30}) {
		t.Errorf("InFlight = %#x, want [0x30]", got)
	}
}

func pos(entries, head, tail uint32) trace.RingPos {
	return trace.RingPos{Entries: entries, Head: head, Tail: tail}
}
