//go:build linux

package demos

import (
	"strings"
	"testing"

	"asyncworkbook/phases/trace"
)

func count(evs []trace.Event, match func(trace.Event) bool) int {
	n := 0
	for _, e := range evs {
		if match(e) {
			n++
		}
	}
	return n
}

func kind(k trace.Kind) func(trace.Event) bool {
	return func(e trace.Event) bool { return e.Kind == k }
}

// TestPhase4DemosShowWhatTheirLessonsSay checks each phase-4 demo's trace
// holds what its About (and the lessons) tell the learner to watch for.
func TestPhase4DemosShowWhatTheirLessonsSay(t *testing.T) {
	t.Run("p4-thread-per-core", func(t *testing.T) {
		evs := record(t, "p4-thread-per-core")
		threads := map[int]bool{}
		index := map[int]bool{}
		for _, e := range evs {
			if e.Kind == trace.ExecutorStarted {
				threads[e.Thread], index[e.Index] = true, true
			}
		}
		if len(threads) != 2 || !index[0] || !index[1] {
			t.Fatalf("executors started on threads %v with indexes %v, want two of each:%s", threads, index, dump(evs))
		}
	})
	t.Run("p4-placement", func(t *testing.T) {
		evs := record(t, "p4-placement")
		if n := count(evs, kind(trace.PlacementPlanned)); n != 11 {
			t.Fatalf("%d dry runs, want 11:%s", n, dump(evs))
		}
		if !has(evs, func(e trace.Event) bool {
			return e.Kind == trace.PlacementPlanned && e.CPUs == "impossible" && strings.Contains(e.Note, "only 3 usable CPUs")
		}) {
			t.Fatalf("no impossible placement explained:%s", dump(evs))
		}
	})
	t.Run("p4-messages", func(t *testing.T) {
		evs := record(t, "p4-messages")
		sent := count(evs, func(e trace.Event) bool { return e.Kind == trace.MsgSent && e.Op == "request" })
		if sent != 45 {
			t.Fatalf("%d requests sent, want 45:%s", sent, dump(evs))
		}
		if !has(evs, func(e trace.Event) bool { return e.Kind == trace.MsgFlushed && e.Count == 5 }) {
			t.Fatalf("the five requests were not published by one flush:%s", dump(evs))
		}
		if !has(evs, func(e trace.Event) bool { return e.Kind == trace.MsgFlushed && e.Count == 16 }) {
			t.Fatalf("no flush of a full batch (16):%s", dump(evs))
		}
		flushes, wakes := count(evs, kind(trace.MsgFlushed)), count(evs, kind(trace.MsgWake))
		if wakes == 0 || wakes > flushes || flushes >= 2*45 {
			t.Fatalf("%d wakes, %d flushes for 90 messages: want batching and at most a wake per flush", wakes, flushes)
		}
	})
	t.Run("p4-submit-to", func(t *testing.T) {
		evs := record(t, "p4-submit-to")
		if !has(evs, kind(trace.SubmitWaiting)) {
			t.Fatalf("no SubmitTo waited for the in-flight bound:%s", dump(evs))
		}
		if has(evs, func(e trace.Event) bool { return e.Kind == trace.SubmitStarted && e.Count > 2 }) {
			t.Fatalf("more than 2 requests in flight:%s", dump(evs))
		}
		if n := count(evs, kind(trace.SubmitAnswered)); n != 6 {
			t.Fatalf("%d answers, want 6:%s", n, dump(evs))
		}
	})
	t.Run("p4-sharding", func(t *testing.T) {
		evs := record(t, "p4-sharding")
		// 12 operations; those whose key executor 0 owns run inline.
		started, answered := count(evs, kind(trace.SubmitStarted)), count(evs, kind(trace.SubmitAnswered))
		if started != answered || started > 12 || started%2 != 0 {
			t.Fatalf("%d requests, %d answers: want a Put and a Get per key owned by executor 1:%s", started, answered, dump(evs))
		}
	})
	t.Run("p4-shutdown", func(t *testing.T) {
		evs := record(t, "p4-shutdown")
		for _, k := range []trace.Kind{trace.StopAccepting, trace.ExecutorClosed} {
			if n := count(evs, kind(k)); n != 2 {
				t.Fatalf("%d %v events, want one per executor:%s", n, k, dump(evs))
			}
		}
		if !has(evs, func(e trace.Event) bool { return e.Kind == trace.DeadlinePassed && e.Count >= 1 }) ||
			!has(evs, func(e trace.Event) bool {
				return e.Kind == trace.ExecutorClosed && e.Count >= 1 && e.Note == "deadline passed"
			}) {
			t.Fatalf("the deadline did not cancel the sleeper:%s", dump(evs))
		}
		if !has(evs, func(e trace.Event) bool { return e.Kind == trace.Cancelled }) {
			t.Fatalf("no task cancelled:%s", dump(evs))
		}
	})
}
