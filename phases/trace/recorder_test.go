package trace

import (
	"slices"
	"sync"
	"testing"
)

// seqEvent returns an event with sequence number seq on executor exec.
func seqEvent(exec uint32, seq uint64) Event {
	return Event{Seq: seq, Exec: exec, Task: 1, Kind: PollStarted}
}

// record feeds events with Seq from..to (inclusive) to r.
func record(r *Recorder, from, to uint64) {
	for i := from; i <= to; i++ {
		e := seqEvent(1, i)
		r.Event(&e)
	}
}

func seqs(evs []Event) []uint64 {
	var out []uint64
	for _, e := range evs {
		out = append(out, e.Seq)
	}
	return out
}

func TestRecorderKeepsLastN(t *testing.T) {
	r := NewRecorder(3)
	if r.Cap() != 3 || r.Len() != 0 || r.Events() != nil || r.Dropped() != 0 {
		t.Fatalf("new recorder: cap %d len %d events %v dropped %d", r.Cap(), r.Len(), r.Events(), r.Dropped())
	}
	record(r, 1, 2)
	if got := seqs(r.Events()); !slices.Equal(got, []uint64{1, 2}) || r.Dropped() != 0 || r.Len() != 2 {
		t.Fatalf("after 2: events %v dropped %d len %d", got, r.Dropped(), r.Len())
	}
	record(r, 3, 7)
	if got := seqs(r.Events()); !slices.Equal(got, []uint64{5, 6, 7}) || r.Dropped() != 4 || r.Len() != 3 {
		t.Fatalf("after 7: events %v dropped %d len %d", got, r.Dropped(), r.Len())
	}
	r.Reset()
	if r.Len() != 0 || r.Events() != nil || r.Dropped() != 0 || r.Cap() != 3 {
		t.Fatalf("after Reset: len %d events %v dropped %d cap %d", r.Len(), r.Events(), r.Dropped(), r.Cap())
	}
	record(r, 8, 8)
	if got := seqs(r.Events()); !slices.Equal(got, []uint64{8}) {
		t.Fatalf("after Reset and 8: events %v", got)
	}
}

// TestRecorderOrder checks oldest-first order against a plain slice for
// every fill level around the wrap-around.
func TestRecorderOrder(t *testing.T) {
	for capacity := 1; capacity <= 5; capacity++ {
		for n := 0; n <= 3*capacity+1; n++ {
			r := NewRecorder(capacity)
			var all []uint64
			for i := uint64(1); i <= uint64(n); i++ {
				all = append(all, i)
			}
			record(r, 1, uint64(n))
			want := all[max(0, n-capacity):]
			if len(want) == 0 {
				want = nil
			}
			got := seqs(r.Events())
			if !slices.Equal(got, want) {
				t.Errorf("cap %d, %d events: got %v, want %v", capacity, n, got, want)
			}
			if wantDropped := uint64(max(0, n-capacity)); r.Dropped() != wantDropped {
				t.Errorf("cap %d, %d events: dropped %d, want %d", capacity, n, r.Dropped(), wantDropped)
			}
			if r.Len() != len(want) {
				t.Errorf("cap %d, %d events: len %d, want %d", capacity, n, r.Len(), len(want))
			}
		}
	}
}

func TestRecorderCopies(t *testing.T) {
	r := NewRecorder(2)
	e := Event{Seq: 1, Kind: Spawned, Name: "first"}
	r.Event(&e)
	e.Name = "changed after Event"
	got := r.Events()
	if got[0].Name != "first" {
		t.Fatalf("recorder kept the caller's event, not a copy: %v", got[0])
	}
	got[0].Name = "changed in the result"
	if again := r.Events(); again[0].Name != "first" {
		t.Fatalf("Events returned the ring itself, not a copy: %v", again[0])
	}
}

func TestRecorderZeroValue(t *testing.T) {
	var r Recorder
	record(&r, 1, 3)
	if r.Len() != 0 || r.Cap() != 0 || r.Events() != nil || r.Dropped() != 3 {
		t.Fatalf("zero Recorder: len %d cap %d events %v dropped %d", r.Len(), r.Cap(), r.Events(), r.Dropped())
	}
	if z := NewRecorder(0); z.Cap() != 0 {
		t.Fatalf("NewRecorder(0).Cap() = %d", z.Cap())
	}
}

func TestRecorderNegativeCapacityPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("NewRecorder(-1) did not panic")
		}
	}()
	NewRecorder(-1)
}

func TestRecorderNoAlloc(t *testing.T) {
	r := NewRecorder(8)
	e := Event{Seq: 1, Kind: Spawned, Name: "task"}
	if n := testing.AllocsPerRun(100, func() { r.Event(&e) }); n != 0 {
		t.Fatalf("Recorder.Event allocates %v times per call", n)
	}
}

// TestRecorderConcurrent runs emitters and readers at once (meant for
// -race) and then checks the totals and that each emitter's events kept
// their order.
func TestRecorderConcurrent(t *testing.T) {
	const (
		emitters = 8
		perEmit  = 1000
		capacity = 100
	)
	r := NewRecorder(capacity)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	var readers sync.WaitGroup
	readers.Add(1)
	go func() {
		defer readers.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			evs := r.Events()
			if len(evs) > capacity {
				t.Errorf("Events returned %d > capacity", len(evs))
				return
			}
			_ = r.Len()
			_ = r.Dropped()
		}
	}()
	for g := range emitters {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := uint64(1); i <= perEmit; i++ {
				e := seqEvent(uint32(g+1), i)
				r.Event(&e)
			}
		}()
	}
	wg.Wait()
	close(stop)
	readers.Wait()

	if r.Len() != capacity {
		t.Fatalf("len %d, want %d", r.Len(), capacity)
	}
	if want := uint64(emitters*perEmit - capacity); r.Dropped() != want {
		t.Fatalf("dropped %d, want %d", r.Dropped(), want)
	}
	last := map[uint32]uint64{}
	for _, e := range r.Events() {
		if e.Seq <= last[e.Exec] {
			t.Fatalf("exec %d: seq %d after %d: order lost", e.Exec, e.Seq, last[e.Exec])
		}
		last[e.Exec] = e.Seq
	}
}

func BenchmarkRecorder(b *testing.B) {
	r := NewRecorder(1024)
	e := Event{Seq: 1, Time: 1234, Exec: 1, Task: 7, Kind: Woken, By: SourceTask, From: 3, Note: "coalesced"}
	b.ReportAllocs()
	for b.Loop() {
		e.Seq++
		r.Event(&e)
	}
}

func BenchmarkRecorderParallel(b *testing.B) {
	r := NewRecorder(1024)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		e := Event{Seq: 1, Time: 1234, Exec: 1, Task: 7, Kind: Woken, By: SourceTask, From: 3}
		for pb.Next() {
			e.Seq++
			r.Event(&e)
		}
	})
}
