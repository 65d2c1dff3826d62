//go:build linux

package demos

import (
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"asyncworkbook/phases/trace"
)

// fastDemoChecks are the checks of the fast paths' demos, run by
// TestPhase2DemosShowWhatTheirLessonsSay on both rings.
func fastDemoChecks(t *testing.T) map[string]func(*testing.T, []trace.Event) {
	uring := ringKind(t) == "io_uring"
	count := func(evs []trace.Event, match func(trace.Event) bool) int {
		n := 0
		for _, e := range evs {
			if match(e) {
				n++
			}
		}
		return n
	}
	return map[string]func(*testing.T, []trace.Event){
		"p2-fixed-reads": func(t *testing.T, evs []trace.Event) {
			fixed := count(evs, func(e trace.Event) bool { return e.Kind == trace.SQEPrepared && e.Op == "READ_FIXED" })
			// Task 0's READ is io_uring's eventfd wakeup, not a file read.
			plain := count(evs, func(e trace.Event) bool { return e.Kind == trace.SQEPrepared && e.Op == "READ" && e.Task != 0 })
			if fixed != 4 || plain != 4 {
				t.Errorf("%d READ_FIXED and %d READ SQEs; want 4 of each (four registered buffers)", fixed, plain)
			}
			// The slot the file went into, and out of at Close: outside the
			// ring, so only slots-updated events show it.
			filled := count(evs, func(e trace.Event) bool { return e.Kind == trace.SlotsUpdated && e.FD >= 0 && e.Files.Used == 1 })
			emptied := count(evs, func(e trace.Event) bool { return e.Kind == trace.SlotsUpdated && e.FD == -1 && e.Files.Used == 0 })
			onSlot := count(evs, func(e trace.Event) bool { return e.Kind == trace.SQEPrepared && e.Op == "READ_FIXED" && e.Fixed })
			if filled != 1 || emptied != 1 || onSlot != 4 {
				t.Errorf("%d slots filled, %d emptied, %d READ_FIXED on a slot; want 1, 1, 4", filled, emptied, onSlot)
			}
		},
		"p2-multishot-recv": func(t *testing.T, evs []trace.Event) {
			sqes := count(evs, func(e trace.Event) bool { return e.Kind == trace.SQEPrepared && e.Op == "RECV" })
			more := count(evs, func(e trace.Event) bool {
				return e.Kind == trace.CQEReaped && e.Op == "RECV" && strings.Contains(e.Note, "F_MORE")
			})
			switch {
			case uring && (sqes != 1 || more < 3):
				t.Errorf("io_uring: %d RECV SQEs, %d CQEs with F_MORE; want 1 SQE serving 3", sqes, more)
			case !uring && (sqes < 3 || more != 0):
				t.Errorf("fallback: %d RECV SQEs, %d multishot CQEs; want single-shot RECVs", sqes, more)
			}
		},
		"p2-direct-echo": func(t *testing.T, evs []trace.Event) {
			direct := count(evs, func(e trace.Event) bool {
				return e.Kind == trace.SQEPrepared && e.Op == "ACCEPT" && strings.HasPrefix(e.Note, "direct: into file slot")
			})
			fixed := count(evs, func(e trace.Event) bool {
				return e.Kind == trace.SQEPrepared && (e.Op == "SEND" || e.Op == "RECV") && e.Fixed
			})
			closed := count(evs, func(e trace.Event) bool {
				return e.Kind == trace.SQEPrepared && e.Op == "CLOSE" && strings.HasPrefix(e.Note, "direct: closes file slot")
			})
			shown := count(evs, func(e trace.Event) bool { return e.Files.Direct == 1 })
			if direct != 1 || fixed < 3 || closed != 1 || shown == 0 {
				t.Errorf("%d direct ACCEPTs, %d RECV/SEND on the slot, %d direct CLOSEs, %d events showing the slot; want 1, ≥3, 1, some", direct, fixed, closed, shown)
			}
			if last := evs[len(evs)-1]; last.Files.Direct != 0 {
				t.Errorf("the run ends with %d direct slots in use", last.Files.Direct)
			}
			recycled := count(evs, func(e trace.Event) bool { return e.Kind == trace.BufsRecycled })
			held := count(evs, func(e trace.Event) bool { return e.Bufs.Buffers > 0 && e.Bufs.Held() > 0 })
			switch {
			case uring && (recycled < 3 || held == 0):
				t.Errorf("io_uring: %d bufs-recycled events, %d events with a buffer held; want ≥3 and some", recycled, held)
			case !uring && recycled != 0:
				t.Errorf("fallback: %d bufs-recycled events, and no buffer ring", recycled)
			}
		},
		"p2-read-within": func(t *testing.T, evs []trace.Event) {
			linked := has(evs, cqe("LINK_TIMEOUT", is(-int32(unix.ETIME))))
			raced := has(evs, cqe("TIMEOUT", is(-int32(unix.ETIME))))
			if !has(evs, cqe("RECV", is(-int32(unix.ECANCELED)))) {
				t.Error("want the RECV cancelled (-ECANCELED)")
			}
			if uring && !linked || !uring && !raced {
				t.Errorf("io_uring=%v: LINK_TIMEOUT fired %v, TIMEOUT fired %v", uring, linked, raced)
			}
		},
	}
}
