//go:build linux

package demos

import (
	"os"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
	"golang.org/x/sys/unix"

	iouring "asyncworkbook/phase2-iouring"
	"asyncworkbook/phases/trace"
)

// Phase 2's demos must show what their lessons say they show, on both
// rings: run this file once as it is and once with WORKBOOK_RING=fallback.

// record runs demo id traced and returns its events.
func record(t *testing.T, id string) []trace.Event {
	t.Helper()
	d, ok := Get(id)
	if !ok {
		t.Fatalf("demo %s is not registered", id)
	}
	rec := trace.NewRecorder(1 << 14)
	runWithin(t, d, rec, 10*time.Second)
	return rec.Events()
}

// ringKind says which ring NewReactor picks in this run.
func ringKind(t *testing.T) string {
	t.Helper()
	r, err := iouring.NewReactor(8)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	return r.Rings().Kind()
}

func has(evs []trace.Event, match func(trace.Event) bool) bool {
	for _, e := range evs {
		if match(e) {
			return true
		}
	}
	return false
}

func cqe(op string, res func(int32) bool) func(trace.Event) bool {
	return func(e trace.Event) bool { return e.Kind == trace.CQEReaped && e.Op == op && res(e.Res) }
}

func is(want int32) func(int32) bool { return func(r int32) bool { return r == want } }
func nonNegative(r int32) bool       { return r >= 0 }

func TestPhase2DemosShowWhatTheirLessonsSay(t *testing.T) {
	defer goleak.VerifyNone(t)
	t.Logf("ring: %s (WORKBOOK_RING=%q)", ringKind(t), os.Getenv("WORKBOOK_RING"))
	cases := map[string]func(t *testing.T, evs []trace.Event){
		"p2-file-and-socket": func(t *testing.T, evs []trace.Event) {
			// The WRITE and the SEND are prepared in one poll of main
			// and leave in one enter.
			best := 0
			for _, e := range evs {
				if e.Kind == trace.Submitted {
					best = max(best, e.Count)
				}
			}
			if best < 2 || !has(evs, cqe("WRITE", is(11))) || !has(evs, cqe("SEND", is(13))) {
				t.Errorf("want WRITE (11) and SEND (13) submitted together; largest batch %d", best)
			}
		},
		"p2-completion-read": func(t *testing.T, evs []trace.Event) {
			if !has(evs, cqe("READ", is(5))) || !has(evs, cqe("WRITE", is(5))) {
				t.Error("want a READ and a WRITE of 5 bytes completed")
			}
		},
		"p2-ring-round-trip": func(t *testing.T, evs []trace.Event) {
			// One op at a time: slot 0, generations 1 to 4. The reactor's
			// own SQEs (the eventfd READ: top bit set) are not ops.
			var uds []uint64
			for _, e := range evs {
				if e.Kind == trace.SQEPrepared && e.UserData>>63 == 0 {
					uds = append(uds, e.UserData)
				}
			}
			want := []uint64{1 << 32, 2 << 32, 3 << 32, 4 << 32}
			if len(uds) != len(want) {
				t.Fatalf("user_data of the SQEs = %#x, want %#x", uds, want)
			}
			for i := range want {
				if uds[i] != want[i] {
					t.Fatalf("user_data of the SQEs = %#x, want %#x", uds, want)
				}
			}
		},
		"p2-batch-reads": func(t *testing.T, evs []trace.Event) {
			best := 0
			for _, e := range evs {
				if e.Kind == trace.Submitted {
					best = max(best, e.Count)
				}
			}
			if best < 8 {
				t.Errorf("largest batch in one enter = %d, want 8 READs", best)
			}
			coalesced := 0
			for _, e := range evs {
				if e.Kind == trace.Woken && e.By == trace.SourceCompletion && e.Note == "coalesced" {
					coalesced++
				}
			}
			// io_uring reads a cached file inline, during the enter: all
			// eight CQEs are there at once. The fallback's workers post
			// theirs one by one, so there the wakes may not coalesce.
			if coalesced == 0 && ringKind(t) == "io_uring" {
				t.Error("no coalesced wake: eight CQEs for one task should queue it once")
			}
		},
		"p2-kernel-sleep": func(t *testing.T, evs []trace.Event) {
			if !has(evs, cqe("TIMEOUT", is(-int32(unix.ETIME)))) {
				t.Error("want a TIMEOUT CQE with -ETIME")
			}
			if !has(evs, func(e trace.Event) bool { return e.Kind == trace.Submitted && e.Note == "wait" && e.Count > 0 }) {
				t.Error("want an enter that submits and waits at once (the park)")
			}
		},
		"p2-out-of-order": func(t *testing.T, evs []trace.Event) {
			var prepared, reaped []string
			for _, e := range evs {
				if e.Op != "TIMEOUT" && e.Op != "WRITE" {
					continue
				}
				switch e.Kind {
				case trace.SQEPrepared:
					prepared = append(prepared, e.Op)
				case trace.CQEReaped:
					reaped = append(reaped, e.Op)
				}
			}
			if strings.Join(prepared, ",") != "TIMEOUT,WRITE" || strings.Join(reaped, ",") != "WRITE,TIMEOUT" {
				t.Errorf("prepared %v, reaped %v; want TIMEOUT,WRITE then WRITE,TIMEOUT", prepared, reaped)
			}
		},
		"p2-echo": func(t *testing.T, evs []trace.Event) {
			for _, op := range []string{"ACCEPT", "CONNECT", "SEND", "RECV"} {
				if !has(evs, cqe(op, nonNegative)) {
					t.Errorf("no successful %s CQE", op)
				}
			}
			// Both tasks are woken by completions.
			woken := map[uint64]bool{}
			for _, e := range evs {
				if e.Kind == trace.Woken && e.By == trace.SourceCompletion {
					woken[e.Task] = true
				}
			}
			if len(woken) < 2 {
				t.Errorf("completions woke %d tasks, want client and server", len(woken))
			}
		},
		"p2-op-life": func(t *testing.T, evs []trace.Event) {
			regs := 0
			for _, e := range evs {
				if e.Kind == trace.WakerRegistered && e.Holder == "io_uring READ" {
					regs++
				}
			}
			if regs < 2 {
				t.Errorf("the READ took a waker %d times; want its first poll and a spurious one", regs)
			}
			if !has(evs, cqe("READ", is(2))) {
				t.Error("want the READ's CQE with 2 bytes")
			}
		},
		"p2-cancel-read": func(t *testing.T, evs []trace.Event) {
			if !has(evs, func(e trace.Event) bool { return e.Kind == trace.OpCancelled && e.Op == "READ" }) {
				t.Error("no op-cancelled READ")
			}
			if !has(evs, cqe("READ", is(-int32(unix.ECANCELED)))) {
				t.Error("no READ CQE with -ECANCELED")
			}
			if !has(evs, cqe("ASYNC_CANCEL", func(int32) bool { return true })) {
				t.Error("no ASYNC_CANCEL CQE")
			}
		},
		"p2-orphan-accept": func(t *testing.T, evs []trace.Event) {
			if !has(evs, func(e trace.Event) bool { return e.Kind == trace.OpCancelled && e.Op == "ACCEPT" }) {
				t.Error("no op-cancelled ACCEPT")
			}
			// The abandoned ACCEPT's CQE is reaped for nobody (task 0).
			if !has(evs, func(e trace.Event) bool { return e.Kind == trace.CQEReaped && e.Op == "ACCEPT" && e.Task == 0 }) {
				t.Error("no ACCEPT CQE reaped for nobody")
			}
		},
		"p2-timeout": func(t *testing.T, evs []trace.Event) {
			if !has(evs, cqe("TIMEOUT", is(-int32(unix.ETIME)))) || !has(evs, cqe("READ", is(-int32(unix.ECANCELED)))) {
				t.Error("want the TIMEOUT to expire and the READ to be cancelled")
			}
			if !has(evs, cqe("TIMEOUT", is(-int32(unix.ECANCELED)))) {
				t.Error("want the second TIMEOUT cancelled after the write won")
			}
			kind := ringKind(t)
			if !has(evs, func(e trace.Event) bool { return e.Kind == trace.Spawned && e.Name == "main on "+kind }) {
				t.Errorf("main is not named after the ring (%s)", kind)
			}
		},
	}
	for id, check := range fastDemoChecks(t) { // phase2_fast_demos_test.go
		cases[id] = check
	}
	for id, check := range cases {
		t.Run(id, func(t *testing.T) {
			evs := record(t, id)
			check(t, evs)
			if t.Failed() {
				t.Logf("events:%s", dump(evs))
			}
		})
	}
	for _, d := range All() {
		if strings.HasPrefix(d.ID, "p2-") && cases[d.ID] == nil {
			t.Errorf("phase-2 demo %s has no check here", d.ID)
		}
	}
}

// TestPhase2DemosAreQuick: the demos are for watching, one event at a
// time; untraced each should take a few milliseconds (the fallback ring's
// cancels take up to a 20 ms poll slice).
func TestPhase2DemosAreQuick(t *testing.T) {
	for _, d := range All() {
		if !strings.HasPrefix(d.ID, "p2-") {
			continue
		}
		start := time.Now()
		runWithin(t, d, nil, 10*time.Second)
		if el := time.Since(start); el > 200*time.Millisecond {
			t.Errorf("demo %s took %v, want about 100 ms at most", d.ID, el)
		}
	}
}
