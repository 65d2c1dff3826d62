package main

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"asyncworkbook/phases"
	"asyncworkbook/phases/check"
	"asyncworkbook/phases/trace"
	"asyncworkbook/tui/internal/testkeys"
	"asyncworkbook/tui/internal/tracestate"
	"asyncworkbook/tui/internal/visual"
)

// TestRunMineOnEverySolutionStreamsAWellOrderedTrace runs "run mine" (the
// exercise's TestTraceDemo in a subprocess, as m does) on the solution of
// every exercise that offers it, and holds the trace to what the
// visualiser relies on (wellOrdered), then replays it: every task
// finishes, none is left flagged as a lost wakeup, and the ring view
// has no request left in flight.
func TestRunMineOnEverySolutionStreamsAWellOrderedTrace(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs every exercise's trace demo")
	}
	wd, _ := os.Getwd()
	root, err := check.FindRoot(wd)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, x := range phases.Default().AllExercises() {
		if x.Demo == "" {
			continue
		}
		n++
		t.Run(x.ID, func(t *testing.T) {
			if (strings.HasPrefix(x.ID, "phase2/05") || strings.HasPrefix(x.ID, "phase4/03")) && runtime.GOOS != "linux" {
				t.Skip("the echo server's and the pool's demos run on Linux (io_uring, pinned threads)")
			}
			rec := trace.NewRecorder(1 << 16)
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
			defer cancel()
			if err := check.RunTraceDemo(ctx, root, x.ID, 2*time.Minute, rec, check.InTree(check.Solutions)); err != nil {
				t.Fatalf("run mine on the solution: %v", err)
			}
			evs := rec.Events()
			if rec.Dropped() > 0 {
				t.Fatalf("%d events dropped", rec.Dropped())
			}
			for _, p := range wellOrdered(evs) {
				t.Error(p)
			}
			var st tracestate.State
			for i := range evs {
				st.Apply(&evs[i])
			}
			for _, task := range st.Tasks {
				if !task.Status.Finished() {
					t.Errorf("after the trace %s (%q) is %s, want finished", st.Label(task.Key), task.Name, task.Status)
				}
			}
			if ops := st.InFlight(); len(ops) > 0 {
				t.Errorf("after the trace %d requests are still in flight in the ring view (first: %+v)", len(ops), ops[0])
			}
			if stuck := st.Stuck(); len(stuck) > 0 {
				t.Errorf("the visualiser flags %v as lost wakeups", stuck)
			}
			showsInTheVisualiser(t, x.Title, evs)
			showsItsView(t, x.ID, x.Title, evs)
		})
	}
	if all := len(phases.Default().AllExercises()); n < all {
		t.Errorf("%d exercises offer run mine, want all %d", n, all)
	}
}

// viewOf names, by exercise id prefix, the panel a trace of run mine
// must reach in the visualiser: phase 3's the queue view (its
// panel), phase 4's the executors side by side, phase 2's the ring.
var viewOf = []struct{ prefix, panel, marker string }{
	{"phase2/", "the ring view", " SQE"},
	{"phase3/", "the queue view", "─ Task queues ─"},
	{"phase4/", "the executors view", "Executors · "},
}

// showsItsView replays evs into a visualiser at 120×40 and checks that
// the panel of the exercise's phase (viewOf) is on screen at the end.
func showsItsView(t *testing.T, id, title string, evs []trace.Event) {
	t.Helper()
	for _, v := range viewOf {
		if !strings.HasPrefix(id, v.prefix) {
			continue
		}
		m := visual.NewRecorded(title, "", evs)
		m.SetSize(120, 40)
		for range evs {
			m, _ = m.Update(testkeys.Key("n"))
		}
		view := testkeys.Plain(m.View())
		if os.Getenv("WORKBOOK_SHOW_MINE") != "" {
			t.Logf("run mine on %s, at the end (120×40):\n%s", id, view)
		}
		if !strings.Contains(view, v.marker) {
			t.Errorf("run mine on %s does not reach %s (no %q on screen at the end):\n%s", id, v.panel, v.marker, view)
		}
	}
}

// ringTitle is the ring panel's title: SQEs pushed (and how many of them
// the trace did not show being prepared) and CQEs reaped.
var ringTitle = regexp.MustCompile(`(\d+) SQEs?(?: \((\d+) the reactor's own\))? · (\d+) CQEs?`)

// showsInTheVisualiser steps a visualiser through evs, at 80×24 and
// 120×40: every event is reached, and for a trace of one executor's
// rings the ring panel is there at the end, its CQE count the CQEs reaped and, when
// every SQE was traced, no SQE counted as the reactor's own.
func showsInTheVisualiser(t *testing.T, title string, evs []trace.Event) {
	t.Helper()
	reaped, own, pool := 0, false, false
	for _, e := range evs {
		pool = pool || tracestate.IsPoolKind(e.Kind)
		if e.Kind == trace.CQEReaped {
			reaped++
		}
		own = own || (e.Kind == trace.CQEReaped && e.UserData&(1<<63) != 0)
	}
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		m := visual.NewRecorded(title, "", evs)
		m.SetSize(size[0], size[1])
		for range evs {
			m, _ = m.Update(testkeys.Key("n"))
		}
		v := testkeys.Plain(m.View())
		if want := fmt.Sprintf("event %d/%d", len(evs), len(evs)); !strings.Contains(v, want) {
			t.Errorf("%dx%d: after %d steps the header does not say %q:\n%s", size[0], size[1], len(evs), want, v)
		}
		if reaped == 0 || size[0] < 120 || pool {
			// A pool's trace shows the executors side by side, each
			// with its ring's occupancy, instead of one ring panel.
			continue
		}
		got := ringTitle.FindStringSubmatch(v)
		if got == nil {
			t.Errorf("%dx%d: no ring panel at the end of a trace of the rings:\n%s", size[0], size[1], v)
			continue
		}
		if got[3] != fmt.Sprint(reaped) {
			t.Errorf("%dx%d: the ring panel counts %s CQEs, the trace reaped %d:\n%s", size[0], size[1], got[3], reaped, v)
		}
		if got[2] != "" && !own {
			t.Errorf("%dx%d: the ring panel counts %s SQEs as the reactor's own, but the trace showed every one prepared:\n%s", size[0], size[1], got[2], v)
		}
	}
}

// wellOrdered returns what is wrong with a trace, as the visualiser
// reads it: per executor, sequence numbers 1, 2, 3... and time that never
// goes back; valid kinds; every task's first event is its Spawned; a
// PollEnded ends the poll its task started; nothing after Completed;
// ring positions possible (head ≤ tail ≤ head+entries); a CQE reaped for a
// traced request comes after its SQE was prepared, and a wake by a
// completion after that completion was reaped.
func wellOrdered(evs []trace.Event) []string {
	var out []string
	bad := func(e trace.Event, format string, args ...any) {
		if len(out) < 20 {
			out = append(out, e.String()+": "+fmt.Sprintf(format, args...))
		}
	}
	if len(evs) == 0 {
		return []string{"no events"}
	}
	type key struct {
		exec uint32
		task uint64
	}
	type execState struct {
		seq     uint64
		time    int64
		polling uint64
	}
	execs := map[uint32]*execState{}
	spawned, done := map[key]bool{}, map[key]bool{}
	prepared := map[[2]uint64]bool{} // exec, user_data
	reapedFor := map[key]int{}       // CQEs reaped for a task, not yet followed by its wake
	for _, e := range evs {
		x := execs[e.Exec]
		if x == nil {
			x = &execState{}
			execs[e.Exec] = x
		}
		if e.Seq != x.seq+1 {
			bad(e, "seq %d after %d", e.Seq, x.seq)
		}
		if e.Time < x.time {
			bad(e, "time %d after %d", e.Time, x.time)
		}
		x.seq, x.time = e.Seq, e.Time
		if !e.Kind.Valid() {
			bad(e, "invalid kind")
		}
		k := key{e.Exec, e.Task}
		if e.Task != 0 {
			if e.Kind == trace.Spawned {
				if spawned[k] {
					bad(e, "spawned twice")
				}
				spawned[k] = true
			} else if !spawned[k] {
				bad(e, "an event about a task before its Spawned")
			}
			if done[k] && e.Kind != trace.Woken {
				bad(e, "an event about a task after its Completed")
			}
		}
		switch e.Kind {
		case trace.PollStarted:
			if x.polling != 0 {
				bad(e, "a poll starts while T%d's poll has not ended", x.polling)
			}
			x.polling = e.Task
		case trace.PollEnded, trace.Panicked:
			if x.polling != e.Task {
				bad(e, "ends a poll that T%d started", x.polling)
			}
			x.polling = 0
		case trace.Completed:
			done[k] = true
		case trace.SQEPrepared:
			prepared[[2]uint64{uint64(e.Exec), e.UserData}] = true
		case trace.CQEReaped:
			if e.UserData&(1<<63) == 0 && !prepared[[2]uint64{uint64(e.Exec), e.UserData}] {
				bad(e, "a CQE for user_data %#x, whose SQE was never prepared", e.UserData)
			}
			if e.Task != 0 {
				reapedFor[k]++
			}
		case trace.Woken:
			if e.By == trace.SourceCompletion {
				if reapedFor[k] == 0 {
					bad(e, "woken by a completion before any CQE for it was reaped")
				} else {
					reapedFor[k]--
				}
			}
		}
		for _, q := range []struct {
			name string
			pos  trace.RingPos
		}{{"SQ", e.SQ}, {"CQ", e.CQ}} {
			if q.pos.Entries == 0 {
				continue
			}
			if n := q.pos.Tail - q.pos.Head; int32(n) < 0 || n > q.pos.Entries {
				bad(e, "%s head %d, tail %d in a ring of %d", q.name, q.pos.Head, q.pos.Tail, q.pos.Entries)
			}
		}
	}
	return out
}
