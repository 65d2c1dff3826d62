package tracestate

import (
	"fmt"
	"strings"
	"testing"

	"asyncworkbook/phases/trace"
	"asyncworkbook/tui/internal/fixture"
)

// Hand-written phase-2 events. Ring positions are as the reactor records
// them: NextSQE has advanced the SQ tail when SQEPrepared is emitted; the
// CQ head stays put while a batch of CQEs is reaped.
func pos(entries, head, tail uint32) trace.RingPos {
	return trace.RingPos{Entries: entries, Head: head, Tail: tail}
}

func prep(task uint64, op string, ud uint64, fd int32, sqHead, sqTail uint32) trace.Event {
	return trace.Event{Kind: trace.SQEPrepared, Task: task, Op: op, UserData: ud, FD: fd,
		SQ: pos(8, sqHead, sqTail), CQ: pos(16, 0, 0)}
}

func submit(count int, sqHead uint32, cqHead, cqTail uint32) trace.Event {
	return trace.Event{Kind: trace.Submitted, Count: count, Note: "wait",
		SQ: pos(8, sqHead, sqHead), CQ: pos(16, cqHead, cqTail)}
}

func cqe(task uint64, op string, ud uint64, res int32, sqHead, cqHead, cqTail uint32) trace.Event {
	return trace.Event{Kind: trace.CQEReaped, Task: task, Op: op, UserData: ud, Res: res,
		SQ: pos(8, sqHead, sqHead), CQ: pos(16, cqHead, cqTail)}
}

func woken(task uint64, note string) trace.Event {
	return trace.Event{Kind: trace.Woken, Task: task, By: trace.SourceCompletion, Note: note}
}

func cancelled(task uint64, op string, ud uint64) trace.Event {
	return trace.Event{Kind: trace.OpCancelled, Task: task, Op: op, UserData: ud}
}

// run applies evs (numbering them and giving each a time of 100 ns × seq)
// to a fresh state.
func run(evs ...trace.Event) *State {
	var s State
	for i := range evs {
		e := evs[i]
		e.Seq, e.Exec, e.Time = uint64(i+1), 1, int64(100*(i+1))
		s.Apply(&e)
	}
	return &s
}

// ops renders the in-flight table as "READ/0x1/T2/in kernel".
func ops(s *State) string {
	var parts []string
	for _, o := range s.InFlight() {
		stage := strings.SplitN(o.Stage.String(), " ", 2)[1]
		parts = append(parts, fmt.Sprintf("%s/%#x/T%d/%s", o.Op, o.UserData, o.Task, stage))
	}
	return strings.Join(parts, " ")
}

func TestRingState(t *testing.T) {
	const (
		r1 = 0x100000000
		r2 = 0x100000001
		r3 = 0x100000002
	)
	for _, tc := range []struct {
		name    string
		evs     []trace.Event
		ops     string        // the in-flight table after
		sq, cq  trace.RingPos // positions after
		reaping int           // ReapIndex, or -1 for not reaping
		link    string        // LastCQE: "op ud →task woken coalesced cancelled"
	}{
		{
			name: "prepared waits in the SQ",
			evs:  []trace.Event{prep(2, "READ", r1, 7, 0, 1)},
			ops:  "READ/0x100000000/T2/in SQ", sq: pos(8, 0, 1), cq: pos(16, 0, 0), reaping: -1,
		},
		{
			name: "submitted: the kernel's head passed it",
			evs:  []trace.Event{prep(2, "READ", r1, 7, 0, 1), submit(2, 2, 0, 0)},
			ops:  "READ/0x100000000/T2/in kernel", sq: pos(8, 2, 2), cq: pos(16, 0, 0), reaping: -1,
		},
		{
			name: "reaped, then woken",
			evs:  []trace.Event{prep(2, "READ", r1, 7, 0, 1), submit(1, 1, 0, 1), cqe(2, "READ", r1, 4096, 1, 0, 1), woken(2, "")},
			ops:  "", sq: pos(8, 1, 1), cq: pos(16, 0, 1), reaping: 0,
			link: "READ 0x100000000 →T2 woken=true coalesced=false cancelled=false",
		},
		{
			name: "reaped, wake not yet seen",
			evs:  []trace.Event{prep(2, "READ", r1, 7, 0, 1), submit(1, 1, 0, 1), cqe(2, "READ", r1, 4096, 1, 0, 1)},
			ops:  "", sq: pos(8, 1, 1), cq: pos(16, 0, 1), reaping: 0,
			link: "READ 0x100000000 →T2 woken=false coalesced=false cancelled=false",
		},
		{
			name: "a wake of another task is not the CQE's",
			evs:  []trace.Event{prep(2, "READ", r1, 7, 0, 1), submit(1, 1, 0, 1), cqe(2, "READ", r1, 4096, 1, 0, 1), woken(3, "")},
			ops:  "", sq: pos(8, 1, 1), cq: pos(16, 0, 1), reaping: 0,
			link: "READ 0x100000000 →T2 woken=false coalesced=false cancelled=false",
		},
		{
			name: "a batch: the reap index walks the CQ, the head stays",
			evs: []trace.Event{
				prep(2, "READ", r1, 7, 0, 1), prep(2, "READ", r2, 7, 0, 2), prep(2, "READ", r3, 7, 0, 3),
				submit(3, 3, 0, 3),
				cqe(2, "READ", r1, 512, 3, 0, 3), woken(2, ""),
				cqe(2, "READ", r2, 512, 3, 0, 3), woken(2, "coalesced"),
			},
			ops: "READ/0x100000002/T2/in kernel", sq: pos(8, 3, 3), cq: pos(16, 0, 3), reaping: 1,
			link: "READ 0x100000001 →T2 woken=true coalesced=true cancelled=false",
		},
		{
			name: "the next batch starts at the new head",
			evs: []trace.Event{
				prep(2, "READ", r1, 7, 0, 1), prep(2, "READ", r2, 7, 0, 2),
				submit(2, 2, 0, 1), cqe(2, "READ", r1, 512, 2, 0, 1),
				submit(0, 2, 1, 2), cqe(2, "READ", r2, 512, 2, 1, 2),
			},
			ops: "", sq: pos(8, 2, 2), cq: pos(16, 1, 2), reaping: 1,
			link: "READ 0x100000001 →T2 woken=false coalesced=false cancelled=false",
		},
		{
			name: "cancelled: stays until its CQE",
			evs:  []trace.Event{prep(2, "READ", r1, 7, 0, 1), submit(1, 1, 0, 0), cancelled(2, "READ", r1)},
			ops:  "READ/0x100000000/T2/cancelled, CQE due", sq: pos(8, 1, 1), cq: pos(16, 0, 0), reaping: -1,
		},
		{
			name: "cancelled: its orphan CQE removes it and wakes nobody",
			evs: []trace.Event{
				prep(2, "READ", r1, 7, 0, 1), submit(1, 1, 0, 0), cancelled(2, "READ", r1),
				submit(1, 2, 0, 2),
				cqe(0, "ASYNC_CANCEL", udCancel, 0, 2, 0, 2),
				cqe(0, "READ", r1, -125, 2, 0, 2),
			},
			ops: "", sq: pos(8, 2, 2), cq: pos(16, 0, 2), reaping: 1,
			link: "READ 0x100000000 →T0 woken=false coalesced=false cancelled=true",
		},
		{
			name: "the reactor's eventfd READ is not in the table",
			evs:  []trace.Event{prep(2, "READ", r1, 7, 0, 1), submit(2, 2, 0, 1), cqe(0, "READ", udEventfd, 8, 2, 0, 1)},
			ops:  "READ/0x100000000/T2/in kernel", sq: pos(8, 2, 2), cq: pos(16, 0, 1), reaping: 0,
			link: "READ 0x8000000000000001 →T0 woken=false coalesced=false cancelled=false",
		},
		{
			name: "LINK_TIMEOUTs share a user_data: one CQE removes one",
			evs: []trace.Event{
				prep(2, "READ", r1, 7, 0, 1), prep(2, "LINK_TIMEOUT", udLinkTimeout, 0, 0, 2),
				prep(3, "READ", r2, 8, 0, 3), prep(3, "LINK_TIMEOUT", udLinkTimeout, 0, 0, 4),
				submit(4, 4, 0, 1), cqe(0, "LINK_TIMEOUT", udLinkTimeout, -62, 4, 0, 1),
			},
			ops: "READ/0x100000000/T2/in kernel READ/0x100000001/T3/in kernel LINK_TIMEOUT/0x8000000000000003/T3/in kernel",
			sq:  pos(8, 4, 4), cq: pos(16, 0, 1), reaping: 0,
			link: "LINK_TIMEOUT 0x8000000000000003 →T0 woken=false coalesced=false cancelled=false",
		},
		{
			name: "a CQE whose SQE was never seen changes no op",
			evs:  []trace.Event{prep(2, "READ", r1, 7, 0, 1), cqe(3, "WRITE", r2, 5, 1, 0, 1)},
			ops:  "READ/0x100000000/T2/in kernel", sq: pos(8, 1, 1), cq: pos(16, 0, 1), reaping: 0,
			link: "WRITE 0x100000001 →T3 woken=false coalesced=false cancelled=false",
		},
		{
			name: "events without positions keep the last ones",
			evs:  []trace.Event{prep(2, "READ", r1, 7, 0, 1), cancelled(2, "READ", r1), woken(2, "")},
			ops:  "READ/0x100000000/T2/cancelled, CQE due", sq: pos(8, 0, 1), cq: pos(16, 0, 0), reaping: -1,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := run(tc.evs...)
			r := &s.Ring
			if got := ops(s); got != tc.ops {
				t.Errorf("in flight:\n got %s\nwant %s", got, tc.ops)
			}
			if r.SQ != tc.sq || r.CQ != tc.cq || !r.HasPos {
				t.Errorf("SQ %+v CQ %+v (has %v), want %+v %+v", r.SQ, r.CQ, r.HasPos, tc.sq, tc.cq)
			}
			reaping := -1
			if r.Reaping {
				reaping = int(r.ReapIndex)
			}
			if reaping != tc.reaping {
				t.Errorf("reap index %d, want %d", reaping, tc.reaping)
			}
			link := ""
			if c := r.LastCQE; c.Valid {
				link = fmt.Sprintf("%s %#x →T%d woken=%v coalesced=%v cancelled=%v", c.Op, c.UserData, c.Task, c.Woken, c.Coalesced, c.Cancelled)
			}
			if link != tc.link {
				t.Errorf("last CQE:\n got %s\nwant %s", link, tc.link)
			}
			if !s.HasRing() {
				t.Error("HasRing is false after phase-2 events")
			}
		})
	}
}

func TestOpAge(t *testing.T) {
	s := run(prep(2, "READ", 1, 7, 0, 1), woken(3, ""), woken(3, ""), woken(3, ""))
	evs, ns := s.OpAge(&s.InFlight()[0])
	if evs != 3 || ns != 300 {
		t.Fatalf("age %d events %d ns, want 3 and 300", evs, ns)
	}
	c := run(prep(2, "READ", 1, 7, 0, 1), submit(1, 1, 0, 1), cqe(2, "READ", 1, 1, 1, 0, 1)).Ring.LastCQE
	if !c.Known || c.Age != 2 || c.AgeNS != 200 {
		t.Fatalf("last CQE %+v: want known, 2 events and 200 ns after its SQE", c)
	}
}

func TestPhaseOneHasNoRing(t *testing.T) {
	s, _ := replay(t, len(fixture.SpawnSleepYield()))
	if s.HasRing() || s.Ring.HasPos || len(s.InFlight()) != 0 {
		t.Fatalf("phase-1 trace has a ring: %+v", s.Ring)
	}
}

func TestCloneCopiesTheOpTable(t *testing.T) {
	s := run(prep(2, "READ", 1, 7, 0, 1), prep(2, "READ", 2, 7, 0, 2))
	c := s.Clone()
	e := cqe(2, "READ", 1, 1, 2, 0, 1)
	e.Exec = 1
	s.Apply(&e)
	if len(c.InFlight()) != 2 || c.InFlight()[0].UserData != 1 || len(s.InFlight()) != 1 {
		t.Fatalf("clone %s, original %s", ops(c), ops(s))
	}
}

// TestRecordedBatchReads walks the recorded p2-batch-reads trace: eight
// READs in the SQ after one poll, all in the kernel after one enter,
// drained to nothing by the end.
func TestRecordedBatchReads(t *testing.T) {
	evs := fixture.P2BatchReads()
	var s State
	maxOps := 0
	for i := range evs {
		s.Apply(&evs[i])
		maxOps = max(maxOps, len(s.InFlight()))
		switch evs[i].Seq {
		case 31: // poll-ended after eight SQEPrepared
			if n := len(s.InFlight()); n != 8 || s.InFlight()[7].Stage != InSQ || Occupied(s.Ring.SQ) != 8 {
				t.Fatalf("after the poll: %s", ops(&s))
			}
		case 33: // submitted count=8
			for _, o := range s.InFlight() {
				if o.Stage != InKernel {
					t.Fatalf("after the enter: %s", ops(&s))
				}
			}
		}
	}
	if maxOps != 8 || len(s.InFlight()) != 0 {
		t.Fatalf("max %d in flight, %d at the end (%s); want 8 and 0", maxOps, len(s.InFlight()), ops(&s))
	}
	if s.Ring.Submits == 0 || s.Ring.Reaped != s.Ring.Prepared+1 { // +1: the eventfd READ
		t.Fatalf("counts %+v", s.Ring)
	}
}

func TestExplainRing(t *testing.T) {
	for _, tc := range []struct {
		evs  []trace.Event
		want string
	}{
		{[]trace.Event{prep(2, "READ", 0x100000003, 7, 2, 3)},
			"T2 prepared a READ on fd 7 (user_data 0x100000003) in SQ slot 2: it waits in the SQ until the turn's io_uring_enter."},
		{[]trace.Event{prep(1, "OPENAT", 0x100000000, -100, 0, 1)},
			"T1 prepared an OPENAT relative to the working directory (user_data 0x100000000) in SQ slot 0: it waits in the SQ until the turn's io_uring_enter."},
		{[]trace.Event{prep(1, "LINK_TIMEOUT", udLinkTimeout, -1, 0, 2)},
			"T1 linked a LINK_TIMEOUT to its previous SQE: if it fires first, the kernel cancels that request."},
		{[]trace.Event{
			prep(1, "READ", 1, 9, 0, 1), prep(1, "READ", 2, 9, 0, 2), prep(1, "READ", 3, 9, 0, 3), prep(1, "READ", 4, 9, 0, 4),
			prep(1, "READ", 5, 9, 0, 5), prep(1, "READ", 6, 9, 0, 6), prep(1, "READ", 7, 9, 0, 7), prep(1, "READ", 8, 9, 0, 8),
			{Kind: trace.Submitted, Count: 8}},
			"io_uring_enter submitted 8 SQEs in one system call; it did not wait."},
		{[]trace.Event{prep(1, "READ", 1, 9, 0, 1), submit(2, 2, 0, 0)},
			"io_uring_enter submitted 2 SQEs in one system call (1 of them the reactor's own: its eventfd wakeup READ or an ASYNC_CANCEL), then waited for a completion."},
		{[]trace.Event{submit(0, 0, 0, 0)},
			"io_uring_enter submitted nothing and waited for a completion: the executor sleeps in the kernel."},
		{[]trace.Event{prep(2, "READ", 1, 7, 0, 1), submit(1, 1, 0, 1), cqe(2, "READ", 1, 4096, 1, 0, 1)},
			"The READ for T2 completed with 4096 bytes: T2 will be woken."},
		{[]trace.Event{cqe(2, "READ", 1, 0, 1, 0, 1)},
			"The READ for T2 completed with 0 bytes (end of file): T2 will be woken."},
		{[]trace.Event{cqe(2, "CLOSE", 1, 0, 1, 0, 1)},
			"The CLOSE for T2 completed successfully: T2 will be woken."},
		{[]trace.Event{cqe(2, "OPENAT", 1, -2, 1, 0, 1)},
			"The OPENAT for T2 failed with -ENOENT: T2 will be woken."},
		{[]trace.Event{cqe(2, "TIMEOUT", 1, -62, 1, 0, 1)},
			"The TIMEOUT for T2 expired (-ETIME, the normal end of a timer): T2 will be woken."},
		{[]trace.Event{prep(2, "READ", 1, 7, 0, 1), cancelled(2, "READ", 1)},
			"T2 dropped its READ (user_data 0x1) while in flight: an ASYNC_CANCEL goes to the kernel, and the READ's memory stays pinned until its own CQE arrives."},
		{[]trace.Event{prep(2, "READ", 1, 7, 0, 1), cancelled(2, "READ", 1), cqe(0, "READ", 1, -125, 1, 0, 1)},
			"The cancelled READ's CQE arrived (-ECANCELED): nobody waits for it, and only now is its memory unpinned."},
		{[]trace.Event{cqe(0, "READ", udEventfd, 8, 1, 0, 1)},
			"The reactor's own eventfd READ completed: a wakeup (Unpark from another goroutine, or Close draining the ring) reached the ring; it wakes no task."},
		{[]trace.Event{cqe(0, "ASYNC_CANCEL", udCancel, -114, 1, 0, 1)},
			"The reactor's ASYNC_CANCEL came too late to stop the request (-EALREADY): it is running and will complete."},
		{[]trace.Event{cqe(0, "LINK_TIMEOUT", udLinkTimeout, -62, 1, 0, 1)},
			"A LINK_TIMEOUT fired (-ETIME): the kernel cancelled the request it guarded."},
		{[]trace.Event{cqe(0, "WRITE", 5, 3, 1, 0, 1)},
			"A WRITE completion (user_data 0x5, 3 bytes written) came back with no task waiting for it."},
	} {
		s := run(tc.evs...)
		if got := s.Explain(&s.Last); got != tc.want {
			t.Errorf("%v:\n got %s\nwant %s", s.Last, got, tc.want)
		}
	}
}

// A multishot op's CQEs with F_MORE leave it in flight; the one without
// frees it. A table that dropped the op at its first CQE would show the
// RECV gone while the kernel still posts for it.
func TestMultishotOpStaysInFlightUntilItsLastCQE(t *testing.T) {
	more := cqe(2, "RECV", 1, 64, 1, 0, 1)
	more.Note = "multishot: F_MORE, the op goes on, buffer 3"
	last := cqe(2, "RECV", 1, -125, 1, 1, 2)
	last.Note = "multishot: last CQE, the slot is free"
	last.Exec = 1 // as run gives its events
	s := run(prep(2, "RECV", 1, 7, 0, 1), submit(1, 1, 0, 0), more, more)
	if len(s.InFlight()) != 1 || s.InFlight()[0].MoreCQEs != 2 || !s.Ring.LastCQE.More {
		t.Fatalf("after two F_MORE CQEs: %s, last %+v; want the RECV in flight with 2 CQEs", ops(s), s.Ring.LastCQE)
	}
	if !strings.Contains(s.Ring.LastCQE.Note, "buffer 3") {
		t.Fatalf("the last CQE's note %q lost the buffer id", s.Ring.LastCQE.Note)
	}
	s.Apply(&last)
	if len(s.InFlight()) != 0 || s.Ring.LastCQE.More {
		t.Fatalf("after the last CQE: %s; want nothing in flight", ops(s))
	}
}
