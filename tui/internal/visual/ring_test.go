package visual

import (
	"strings"
	"testing"

	"asyncworkbook/tui/internal/fixture"
)

func recordedRing(w, h int) Model {
	m := NewRecorded("Eight reads, one io_uring_enter", "main reads eight blocks of a file with Join: one enter submits eight READs.", fixture.P2BatchReads())
	m.SetSize(w, h)
	return m
}

// TestRingGolden: the recorded p2-batch-reads trace with the eight READs
// waiting in the SQ (30 events) and in the middle of reaping their CQEs
// (37 events), at both sizes.
func TestRingGolden(t *testing.T) {
	for _, tc := range []struct {
		name string
		w, h int
		keys []string
	}{
		{"ring-120x40-sq.golden", 120, 40, repeat("n", 30)},
		{"ring-120x40-reaping.golden", 120, 40, repeat("n", 37)},
		{"ring-80x24-sq.golden", 80, 24, repeat("n", 30)},
		{"ring-80x24-reaping.golden", 80, 24, repeat("n", 37)},
		{"ring-80x24-focus.golden", 80, 24, append(repeat("n", 30), "tab", "tab", "down", "down")},
		{"ring-120x40-end.golden", 120, 40, repeat("n", 68)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := press(recordedRing(tc.w, tc.h), tc.keys...)
			golden(t, tc.name, plain(m.View()))
		})
	}
}

func TestRingPanelOnlyForPhaseTwo(t *testing.T) {
	if v := plain(recorded(120, 40).View()); strings.Contains(v, "Ring ·") {
		t.Fatalf("phase-1 view shows the ring panel:\n%s", v)
	}
	// Before the first phase-2 event is reached the panel is already there
	// (it depends on the run, not the cursor), so the layout stays put.
	if v := plain(recordedRing(80, 24).View()); !strings.Contains(v, "Ring ·") {
		t.Fatalf("phase-2 view without the ring panel:\n%s", v)
	}
}

func TestFocusSkipsTheRingInPhaseOne(t *testing.T) {
	m := press(recorded(80, 24), "tab", "tab")
	if m.focus != panelTasks {
		t.Fatalf("focus %d after two tabs in phase 1, want the task panel", m.focus)
	}
	m = press(recordedRing(80, 24), "tab", "tab")
	if m.focus != panelRing {
		t.Fatalf("focus %d after two tabs in phase 2, want the ring panel", m.focus)
	}
	if m = press(m, "tab"); m.focus != panelTasks {
		t.Fatalf("focus %d, want back to tasks", m.focus)
	}
}

func TestRingViewFits(t *testing.T) {
	for _, sz := range [][2]int{{80, 24}, {120, 40}, {100, 30}, {60, 16}} {
		m := press(recordedRing(sz[0], sz[1]), repeat("n", 37)...)
		lines := strings.Split(strings.TrimSuffix(plain(m.View()), "\n"), "\n")
		if len(lines) != sz[1] {
			t.Errorf("%dx%d: %d lines", sz[0], sz[1], len(lines))
		}
		for i, l := range lines {
			if w := len([]rune(l)); w > sz[0] {
				t.Errorf("%dx%d: line %d is %d wide: %q", sz[0], sz[1], i, w, l)
			}
		}
	}
}
