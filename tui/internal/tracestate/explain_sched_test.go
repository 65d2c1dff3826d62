package tracestate

import (
	"strings"
	"testing"

	"asyncworkbook/phases/trace"
)

// Every phase-3 kind gets a sentence of its own, not the generic
// "The executor: kind." that names the kind and explains nothing.
func TestSchedulerEventsAreExplained(t *testing.T) {
	s := &State{}
	for _, k := range []trace.Kind{trace.QueueSelected, trace.SliceEnded, trace.Yielded, trace.Preempted,
		trace.TimerArmed, trace.TimerFired, trace.TimerCancelled, trace.ParkedUntil, trace.EventfdWake, trace.Stall} {
		e := &trace.Event{Seq: 1, Exec: 1, Task: 2, Kind: k, Name: "q", Note: "why", Dur: 1000}
		s.Apply(e)
		got := s.Explain(e)
		if strings.Contains(got, ": "+k.String()+".") || !strings.HasSuffix(got, ".") || len(got) < 40 {
			t.Errorf("%v explained as %q", k, got)
		}
	}
}
