package visual

import (
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"asyncworkbook/phases/trace"
	"asyncworkbook/tui/internal/fixture"
)

// TestRingCountsAgreeWithTheQueues: at every event of the recorded run
// and at every width, the SQE count in the title is what the SQ's tail
// says was pushed (the reactor's own untraced SQEs included), and the
// CQE count is the CQEReaped events so far.
func TestRingCountsAgreeWithTheQueues(t *testing.T) {
	evs := fixture.P2BatchReads()
	title := regexp.MustCompile(`(\d+) SQEs?(?: \((\d+) the reactor's own\))? · (\d+) CQEs?`)
	for _, w := range []int{60, 80, 120} {
		m := recordedRing(w, 40)
		reaped := 0
		for i := range evs {
			m = press(m, "n")
			if evs[i].Kind == trace.CQEReaped {
				reaped++
			}
			st := m.hist.State()
			got := title.FindStringSubmatch(m.ringTitle(st))
			if got == nil {
				t.Fatalf("event %d: title %q", i+1, m.ringTitle(st))
			}
			sqes, _ := strconv.Atoi(got[1])
			cqes, _ := strconv.Atoi(got[3])
			if st.Ring.HasPos && sqes != int(st.Ring.SQ.Tail) {
				t.Fatalf("%d cols, event %d: title says %d SQEs, the SQ tail is %d: %q", w, i+1, sqes, st.Ring.SQ.Tail, m.ringTitle(st))
			}
			if cqes != reaped {
				t.Fatalf("event %d: %d CQEs in the title, %d reaped", i+1, cqes, reaped)
			}
		}
	}
}

// TestOpsWhoseCQEIsInTheCQSaySo: in the middle of reaping the batch the
// READs still to be reaped have their CQEs in the CQ; none is shown "in
// kernel". Before the enter they are in the SQ.
func TestOpsWhoseCQEIsInTheCQSaySo(t *testing.T) {
	m := press(recordedRing(120, 40), repeat("n", 37)...)
	v := plain(m.View())
	if strings.Contains(v, "● in kernel ") || !strings.Contains(v, "■ CQE in CQ") {
		t.Fatalf("while reaping, ops are shown in kernel:\n%s", v)
	}
	m = press(recordedRing(80, 24), repeat("n", 37)...)
	if v := plain(m.View()); !strings.Contains(v, "READ T1 0x100000002 ■CQ") {
		t.Fatalf("compact form does not say the CQE is in the CQ:\n%s", v)
	}
	// A live history that ends before the CQEs are traced cannot tell:
	// it says both.
	evs := fixture.P2BatchReads()[:37]
	m = NewRecorded("cut", "", evs)
	m.SetSize(120, 40)
	m = press(m, repeat("n", 37)...)
	if v := plain(m.View()); !strings.Contains(v, "● in kernel or CQ") {
		t.Fatalf("with the CQEs not in the history yet:\n%s", v)
	}
}

// TestMarkersDoNotHideSlots: in the compact form (80x24) H and T go
// before their slots; the SQ row still has one ■ per SQE in it.
func TestMarkersDoNotHideSlots(t *testing.T) {
	m := press(recordedRing(80, 24), repeat("n", 30)...)
	st := m.hist.State()
	for _, l := range strings.Split(plain(m.View()), "\n") {
		if i := strings.Index(l, "SQ  "); i >= 0 && strings.Contains(l, "head") {
			if got, want := strings.Count(l, "■"), int(st.Ring.SQ.Tail-st.Ring.SQ.Head); got != want {
				t.Fatalf("SQ row has %d ■ for %d SQEs: %q", got, want, l)
			}
			return
		}
	}
	t.Fatal("no SQ row")
}

// TestOpCancelledNamesTheOpsFD: the op-cancelled event carries only the
// user_data; the log shows the fd of the op's SQE.
func TestOpCancelledNamesTheOpsFD(t *testing.T) {
	evs := []trace.Event{
		{Seq: 1, Exec: 1, Task: 1, Kind: trace.Spawned, Queue: 1},
		{Seq: 2, Exec: 1, Task: 1, Kind: trace.SQEPrepared, Op: "OPENAT", FD: -100, UserData: 5},
		{Seq: 3, Exec: 1, Task: 1, Kind: trace.SQEPrepared, Op: "READ", FD: 12, UserData: 7},
		{Seq: 4, Exec: 1, Task: 1, Kind: trace.OpCancelled, UserData: 7},
	}
	m := press(NewRecorded("cancel", "", evs), "n", "n", "n", "n")
	m.SetSize(100, 30)
	v := plain(m.View())
	if !strings.Contains(v, "op-cancelled      READ fd=12") {
		t.Fatalf("the log does not name the cancelled READ's fd:\n%s", v)
	}
	if !strings.Contains(v, "OPENAT fd=CWD") {
		t.Fatalf("AT_FDCWD is not written as in the table:\n%s", v)
	}
}

// TestAgesLeaveOutTheLearnersPauses: the runtime's clock runs on while
// the visualiser holds it stopped; the times the history gets are
// runtime time, so an op's age does not count the learner's pause.
func TestAgesLeaveOutTheLearnersPauses(t *testing.T) {
	var clock atomic.Int64 // the fake runtime reads the same clock as the feed
	old := nowNS
	nowNS = clock.Load
	t.Cleanup(func() { nowNS = old })
	run := func(s trace.Sink) error {
		ev := func(e trace.Event) {
			e.Time = clock.Load()
			s.Event(&e)
			clock.Add(1_000) // the runtime's own work: 1µs an event
		}
		ev(trace.Event{Seq: 1, Exec: 1, Task: 1, Kind: trace.Spawned, Queue: 1})
		ev(trace.Event{Seq: 2, Exec: 1, Task: 1, Kind: trace.SQEPrepared, Op: "OPENAT", FD: -100, UserData: 5})
		ev(trace.Event{Seq: 3, Exec: 1, Kind: trace.Submitted, Count: 1})
		ev(trace.Event{Seq: 4, Exec: 1, Kind: trace.Parked})
		return nil
	}
	m, cmd := live(t, run)
	for range 3 {
		clock.Add(2_000_000_000) // the learner reads for 2s before each step
		m, cmd = send(m, cmd, "n")
		m, cmd = settle(t, m, cmd)
	}
	evs := m.hist.Events()
	if len(evs) != 4 {
		t.Fatalf("%d events", len(evs))
	}
	for i := 1; i < len(evs); i++ {
		if d := evs[i].Time - evs[i-1].Time; d < 0 || d > 10_000 {
			t.Fatalf("event %d is %dns after the one before; the runtime spent 1µs (the pause is counted)", i+1, d)
		}
	}
	st := m.hist.State()
	if _, ns := st.OpAge(&st.InFlight()[0]); ns > 10_000 {
		t.Fatalf("the OPENAT's age is %dns: the learner's pauses are counted", ns)
	}
}

// TestRuntimeTimeNeverGoesBack: events between two clock readings carry
// the earlier reading; a pause taken in between must not make the later
// ones older than the earlier ones (an age of "?").
func TestRuntimeTimeNeverGoesBack(t *testing.T) {
	var clock atomic.Int64
	old := nowNS
	nowNS = clock.Load
	t.Cleanup(func() { nowNS = old })
	run := func(s trace.Sink) error {
		reading := clock.Load()
		for i := range 4 {
			if i == 2 {
				reading = clock.Load() // a new clock reading (a turn)
			}
			e := trace.Event{Seq: uint64(i + 1), Exec: 1, Kind: trace.Turn, Time: reading}
			s.Event(&e)
			clock.Add(1_000)
		}
		return nil
	}
	m, cmd := live(t, run)
	for range 3 {
		clock.Add(5_000_000_000) // the learner reads
		m, cmd = send(m, cmd, "n")
		m, cmd = settle(t, m, cmd)
	}
	evs := m.hist.Events()
	for i := 1; i < len(evs); i++ {
		if evs[i].Time < evs[i-1].Time {
			t.Fatalf("runtime time goes back at event %d: %d after %d", i+1, evs[i].Time, evs[i-1].Time)
		}
		if d := evs[i].Time - evs[i-1].Time; d > 10_000 {
			t.Fatalf("event %d: %dns after the one before: a pause is counted", i+1, d)
		}
	}
}
