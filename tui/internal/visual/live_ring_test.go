//go:build linux

package visual

import (
	"strings"
	"testing"

	iouring "asyncworkbook/phase2-iouring"
	"asyncworkbook/phases/demos"
)

// TestLiveRingDemo runs a phase-2 demo through the visualiser, one loop
// turn at a time, and checks that the ring panel appears, ops go in
// flight, and every op's CQE has come back by the end.
func TestLiveRingDemo(t *testing.T) {
	r, err := iouring.NewReactor(8)
	if err != nil {
		t.Skipf("neither io_uring nor the fallback ring: %v", err)
	}
	t.Logf("ring: %s", r.RingKind())
	r.Close()
	d, ok := demos.Get("p2-batch-reads")
	if !ok {
		t.Fatal("demo p2-batch-reads is not registered")
	}
	m := New(d.Title, d.About, d.Run)
	m.SetSize(120, 40)
	cmd := m.Init()
	t.Cleanup(m.Close)
	m, cmd = settle(t, m, cmd)
	maxOps := 0
	for i := 0; m.rt != rtFinished; i++ {
		if i > 10_000 {
			t.Fatalf("still running after %d turns", i)
		}
		m, cmd = send(m, cmd, "N")
		m, cmd = settle(t, m, cmd)
		maxOps = max(maxOps, len(m.hist.State().InFlight()))
	}
	if m.err != nil {
		t.Fatalf("demo failed: %v", m.err)
	}
	m.hist.Seek(m.hist.Len())
	m.cache.dirty = true
	st := m.hist.State()
	v := plain(m.View())
	if !strings.Contains(v, "Ring · ") || !strings.Contains(v, "0 in flight") {
		t.Fatalf("no ring panel, or ops left in flight, at the end:\n%s", v)
	}
	if maxOps < 8 || len(st.InFlight()) != 0 || st.Ring.Reaped < st.Ring.Prepared {
		t.Fatalf("max %d in flight (want ≥ 8), %d left; %d SQEs, %d CQEs", maxOps, len(st.InFlight()), st.Ring.Prepared, st.Ring.Reaped)
	}
	if m.dropped != 0 {
		t.Fatalf("%d events dropped", m.dropped)
	}
}
