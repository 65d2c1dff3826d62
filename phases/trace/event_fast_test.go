package trace

import (
	"strings"
	"testing"
)

// fastKinds are the kinds phase 2's fast paths add (issue 10).
var fastKinds = []Kind{BufsRecycled, SlotsUpdated}

// TestJSONRoundTripFastPathFields sends the fast-path kinds, and the
// ring-carrying kinds, with Bufs and Files set, through a JSON line and
// back: a field without its tag comes back zero; a kind without a name
// does not encode.
func TestJSONRoundTripFastPathFields(t *testing.T) {
	var evs []Event
	for i, k := range append([]Kind{SQEPrepared, Submitted, CQEReaped}, fastKinds...) {
		e := fullEvent(k)
		e.Bufs = BufRingPos{Buffers: 1<<31 + uint32(i), Kernel: 7 + uint32(i), Recycled: 1<<60 + uint64(i)}
		e.Files = FileTablePos{Slots: 1<<30 + uint32(i), Used: 3 + uint32(i), Direct: 1 + uint32(i)}
		e.Count, e.FD, e.Fixed = 2+i, -1, true
		evs = append(evs, e)
	}
	data := writeAll(t, evs)
	for _, field := range []string{`"bufs":{"buffers":`, `"kernel":`, `"recycled":`, `"files":{"slots":`, `"used":`, `"direct":`, `"fixed":true`} {
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
	// Zero positions stay off the wire: a phase-1 event does not grow.
	if line := string(writeAll(t, []Event{{Seq: 1, Exec: 1, Kind: Turn}})); strings.Contains(line, "bufs") || strings.Contains(line, "files") || strings.Contains(line, "fixed") {
		t.Errorf("zero fast-path fields encoded: %s", line)
	}
}

// TestFastPathKindsAreAppended: the new kinds come after every older one
// (recorded files name kinds, but KindSets saved by number must not
// shift), have their own names, and fit a KindSet.
func TestFastPathKindsAreAppended(t *testing.T) {
	if BufsRecycled <= PlacementPlanned {
		t.Fatalf("BufsRecycled is %d, before PlacementPlanned (%d): a kind was renumbered", BufsRecycled, PlacementPlanned)
	}
	for _, k := range fastKinds {
		if !k.Valid() || k >= 64 {
			t.Fatalf("kind %d is not valid or does not fit a KindSet", k)
		}
		back, err := ParseKind(k.String())
		if err != nil || back != k || strings.HasPrefix(k.String(), "kind(") {
			t.Fatalf("kind %d named %q parses to %v, %v", k, k.String(), back, err)
		}
	}
	e := Event{Seq: 3, Exec: 1, Kind: BufsRecycled, Count: 1, Bufs: BufRingPos{Buffers: 8, Kernel: 5}}
	if got := e.String(); got != "#3 exec1 bufs-recycled count=1 kernel=5/8" {
		t.Errorf("String = %q", got)
	}
	if h := e.Bufs.Held(); h != 3 {
		t.Errorf("Held = %d, want 3", h)
	}
	e = Event{Seq: 4, Exec: 1, Kind: SlotsUpdated, FD: -1, Files: FileTablePos{Slots: 4, Used: 1, Direct: 1}}
	if got := e.String(); got != "#4 exec1 slots-updated fd=-1 slots=1/4 direct=1" {
		t.Errorf("String = %q", got)
	}
}
