package multishotcqes

import (
	"testing"

	"asyncworkbook/phases/check"
)

const exercise = "phase2/08-multishot-cqes"

func slotOf(ud uint64) uint32 { return uint32(ud) }

func TestASingleShotOpEndsAtItsCQE(t *testing.T) {
	defer check.Guard(t, exercise)
	var tb Table
	ud := tb.Start(false)
	if !tb.Complete(CQE{UserData: ud, Res: 42}) {
		t.Fatal("Complete of the op in flight returned false")
	}
	s := tb.Slots[slotOf(ud)]
	if !s.Ended || s.InUse || len(s.Got) != 1 || s.Got[0].Res != 42 {
		t.Fatalf("slot after its one CQE: %+v; want the CQE delivered, ended, not in use", s)
	}
	if len(tb.Free) != 1 || tb.Free[0] != slotOf(ud) {
		t.Fatalf("free list %v: want the slot back (a table that only grows leaks)", tb.Free)
	}
}

// One SQE, many CQEs: the slot stays the op's until the CQE without
// FlagMore, so an op started meanwhile must get another slot.
func TestAMultishotOpKeepsItsSlotUntilTheLastCQE(t *testing.T) {
	defer check.Guard(t, exercise)
	var tb Table
	recv := tb.Start(true)
	for i := range 3 {
		if !tb.Complete(CQE{UserData: recv, Res: int32(10 + i), Flags: FlagMore}) {
			t.Fatalf("CQE %d with FlagMore was refused", i)
		}
		if s := tb.Slots[slotOf(recv)]; s.Ended || !s.InUse {
			t.Fatalf("after CQE %d with FlagMore the op is ended or its slot free: %+v", i, s)
		}
	}
	other := tb.Start(false)
	if slotOf(other) == slotOf(recv) {
		t.Fatalf("a new op got slot %d, which the multishot op still owns: its next CQE would go to the wrong op", slotOf(other))
	}
	if !tb.Complete(CQE{UserData: recv, Res: -125}) { // cancelled: the last
		t.Fatal("the last CQE was refused")
	}
	s := tb.Slots[slotOf(recv)]
	if !s.Ended || s.InUse || len(s.Got) != 4 {
		t.Fatalf("after the CQE without FlagMore: %+v; want 4 CQEs, ended, slot free", s)
	}
}

// The last CQE of a multishot op may carry data too: it is the flag that
// ends the op, not the result.
func TestTheFlagEndsTheOpNotTheResult(t *testing.T) {
	defer check.Guard(t, exercise)
	var tb Table
	ud := tb.Start(true)
	tb.Complete(CQE{UserData: ud, Res: -105, Flags: FlagMore}) // odd, but the flag says go on
	if s := tb.Slots[slotOf(ud)]; s.Ended {
		t.Fatalf("a CQE with FlagMore and a negative result ended the op: %+v", s)
	}
	tb.Complete(CQE{UserData: ud, Res: 64}) // data, and no FlagMore: the last
	if s := tb.Slots[slotOf(ud)]; !s.Ended || s.InUse {
		t.Fatalf("a CQE with data and no FlagMore did not end the op: %+v", s)
	}
}

// A CQE whose op is over (its slot free, or taken again by a newer op)
// names nobody: refuse it and touch nothing.
func TestLateCQEsNameNobody(t *testing.T) {
	defer check.Guard(t, exercise)
	var tb Table
	old := tb.Start(true)
	tb.Complete(CQE{UserData: old, Res: 0}) // end of stream: the last
	if tb.Complete(CQE{UserData: old, Res: 7, Flags: FlagMore}) {
		t.Fatal("a CQE for an op that already ended, its slot free, was accepted")
	}
	next := tb.Start(false)
	if slotOf(next) != slotOf(old) {
		t.Fatalf("setup: the new op did not reuse slot %d", slotOf(old))
	}
	if tb.Complete(CQE{UserData: old, Res: 7}) {
		t.Fatal("a CQE of the old op was accepted by the slot's new op: check the generation")
	}
	if s := tb.Slots[slotOf(next)]; len(s.Got) != 0 || s.Ended {
		t.Fatalf("the new op got the old op's CQE: %+v", s)
	}
	if tb.Complete(CQE{UserData: UserData(1, 99), Res: 1}) {
		t.Fatal("a CQE naming slot 99 of a 1-slot table was accepted")
	}
}
