//go:build linux

package visual

import (
	"strings"
	"testing"

	"asyncworkbook/phases/demos"
)

// TestLivePoolDemo runs the phase-4 messages demo through the visualiser
// under its Stepper, a loop turn at a time: the executors panel comes
// up, messages flow, and the pool closes at the end.
func TestLivePoolDemo(t *testing.T) {
	d, ok := demos.Get("p4-messages")
	if !ok {
		t.Fatal("demo p4-messages is not registered")
	}
	m := New(d.Title, d.About, d.Run)
	m.SetSize(80, 24)
	cmd := m.Init()
	t.Cleanup(m.Close)
	m, cmd = settle(t, m, cmd)
	for i := 0; m.rt != rtFinished; i++ {
		if i > 20_000 {
			t.Fatalf("still running after %d turns", i)
		}
		m, cmd = send(m, cmd, "N")
		m, cmd = settle(t, m, cmd)
		if i%50 == 0 {
			checkPoolFits(t, 0, i, m)
		}
	}
	if m.err != nil {
		t.Fatalf("demo failed: %v", m.err)
	}
	m.hist.Seek(m.hist.Len())
	m.cache.dirty = true
	v := plain(m.View())
	if !strings.Contains(v, "Executors · 2") || strings.Count(v, "✓ closed") != 2 || !strings.Contains(v, "Pool of 2 · 90 messages") {
		t.Fatalf("at the end:\n%s", v)
	}
	// Each executor is phase 3's runtime: its column lists its queues.
	if strings.Count(v, "q default ") != 2 {
		t.Fatalf("the condensed columns do not list each executor's task queues:\n%s", v)
	}
}
