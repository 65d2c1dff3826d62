package trace

import (
	"strings"
	"testing"
)

// phase4Kinds are the kinds a pool of executors adds.
var phase4Kinds = []Kind{ExecutorStarted, MsgSent, MsgFlushed, MsgWake, MsgReceived,
	SubmitStarted, SubmitWaiting, SubmitAnswered, StopAccepting, Draining, DeadlinePassed, ExecutorClosed, PlacementPlanned}

// TestJSONRoundTripPhase4Fields sends every phase-4 kind, with every
// phase-4 field set, through a JSON line and back: a field without its
// tag, or a kind without a name, comes back different.
func TestJSONRoundTripPhase4Fields(t *testing.T) {
	var evs []Event
	for i, k := range phase4Kinds {
		e := fullEvent(k)
		e.Peer = 1<<31 + uint32(i)
		e.Depth = 1<<20 + i
		e.Req = 1<<62 + uint64(i)
		e.Index = 7 + i
		e.CPUs = "0-3,8"
		e.Thread = 4242 + i
		e.Count = -i - 1
		e.Op = "answer"
		evs = append(evs, e)
	}
	data := writeAll(t, evs)
	for _, field := range []string{`"peer":`, `"depth":`, `"req":`, `"index":`, `"cpus":"0-3,8"`, `"thread":`} {
		if strings.Count(string(data), field) != len(evs) {
			t.Errorf("field %s is not on every line:\n%s", field, data)
		}
	}
	got, err := readAll(data)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(evs) {
		t.Fatalf("read %d events, want %d", len(got), len(evs))
	}
	for i := range evs {
		if got[i] != evs[i] {
			t.Errorf("event %d:\n got %#v\nwant %#v", i, got[i], evs[i])
		}
	}
}

// TestPhase4KindNames checks each phase-4 kind has its own wire name that
// parses back, and fits in a KindSet.
func TestPhase4KindNames(t *testing.T) {
	seen := map[string]bool{}
	for _, k := range phase4Kinds {
		if !k.Valid() || k >= 64 {
			t.Fatalf("kind %d is not valid or does not fit a KindSet", k)
		}
		name := k.String()
		if seen[name] || strings.HasPrefix(name, "kind(") || name == "" {
			t.Fatalf("kind %d has name %q (duplicate or missing)", k, name)
		}
		seen[name] = true
		if back, err := ParseKind(name); err != nil || back != k {
			t.Fatalf("ParseKind(%q) = %v, %v", name, back, err)
		}
		if !NewKindSet(k).Has(k) {
			t.Fatalf("KindSet loses %v", k)
		}
	}
}

// TestPhase4EventString shows the peer, request and depth of a message.
func TestPhase4EventString(t *testing.T) {
	cases := []struct {
		e    Event
		want string
	}{
		{Event{Seq: 3, Exec: 1, Kind: MsgSent, Peer: 2, Req: 5, Depth: 1, Op: "request"}, "#3 exec1 msg-sent request peer=exec2 req=5 depth=1"},
		{Event{Seq: 4, Exec: 2, Kind: MsgReceived, Peer: 1, Req: 5, Op: "request"}, "#4 exec2 msg-received request peer=exec1 req=5 depth=0"},
		{Event{Seq: 1, Exec: 2, Kind: ExecutorStarted, Index: 1, CPUs: "1", Thread: 99}, `#1 exec2 executor-started index=1 cpus="1" thread=99`},
		{Event{Seq: 9, Exec: 1, Kind: MsgFlushed, Peer: 2, Count: 3, Depth: 3}, "#9 exec1 msg-flushed peer=exec2 count=3 depth=3"},
		{Event{Seq: 9, Exec: 1, Kind: SubmitWaiting, Peer: 2, Req: 7, Count: 2}, "#9 exec1 submit-waiting peer=exec2 req=7 open=2"},
		{Event{Seq: 9, Exec: 1, Kind: ExecutorClosed, Count: 2, Note: "deadline passed"}, "#9 exec1 executor-closed count=2 (deadline passed)"},
	}
	for _, c := range cases {
		if got := c.e.String(); got != c.want {
			t.Errorf("String() = %q, want %q", got, c.want)
		}
	}
}
