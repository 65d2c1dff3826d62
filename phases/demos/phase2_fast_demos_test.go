//go:build linux

package demos

import (
	"strings"
	"testing"

	"asyncworkbook/phases/trace"
)

// The fast paths' demos show what their lessons say, on both rings.
func TestPhase2FastPathDemos(t *testing.T) {
	uring := ringKind(t) == "io_uring"
	t.Run("p2-fixed-reads", func(t *testing.T) {
		evs := record(t, "p2-fixed-reads")
		fixed, plain := 0, 0
		for _, e := range evs {
			if e.Kind == trace.SQEPrepared && e.Op == "READ_FIXED" {
				fixed++
			}
			if e.Kind == trace.SQEPrepared && e.Op == "READ" && e.Task != 0 { // not the eventfd wakeup
				plain++
			}
		}
		if fixed != 4 || plain != 4 {
			t.Errorf("%d READ_FIXED and %d READ SQEs; want 4 of each (four registered buffers)", fixed, plain)
		}
	})
	t.Run("p2-multishot-recv", func(t *testing.T) {
		evs := record(t, "p2-multishot-recv")
		sqes, more := 0, 0
		for _, e := range evs {
			if e.Kind == trace.SQEPrepared && e.Op == "RECV" {
				sqes++
			}
			if e.Kind == trace.CQEReaped && e.Op == "RECV" && strings.Contains(e.Note, "F_MORE") {
				more++
			}
		}
		switch {
		case uring && (sqes != 1 || more < 3):
			t.Errorf("io_uring: %d RECV SQEs, %d CQEs with F_MORE; want 1 SQE serving 3", sqes, more)
		case !uring && (sqes < 3 || more != 0):
			t.Errorf("fallback: %d RECV SQEs, %d multishot CQEs; want single-shot RECVs", sqes, more)
		}
	})
}
