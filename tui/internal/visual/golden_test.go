package visual

import (
	"flag"
	"testing"

	tea "charm.land/bubbletea/v2"

	"asyncworkbook/tui/internal/fixture"
	"asyncworkbook/tui/internal/testkeys"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func golden(t *testing.T, name, got string) {
	t.Helper()
	testkeys.Golden(t, *update, name, got)
}

func plain(view string) string { return testkeys.Plain(view) }

// press sends keys to the model, one KeyPressMsg each.
func press(m Model, keys ...string) Model {
	for _, k := range keys {
		m, _ = m.Update(keyMsg(k))
	}
	return m
}

func keyMsg(k string) tea.KeyPressMsg { return testkeys.Key(k) }

func recorded(w, h int) Model {
	m := NewRecorded("Spawn, sleep and yield", "Watch T4: it returns Pending without handing its waker to anyone.", fixture.SpawnSleepYield())
	m.SetSize(w, h)
	return m
}

func repeat(k string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = k
	}
	return out
}

func TestVisualiserGolden(t *testing.T) {
	for _, tc := range []struct {
		name string
		w, h int
		keys []string
	}{
		{"visual-80x24-stuck.golden", 80, 24, repeat("n", 18)},
		{"visual-120x40-stuck.golden", 120, 40, repeat("n", 18)},
		{"visual-80x24-turns.golden", 80, 24, repeat("N", 6)},
		{"visual-120x40-back.golden", 120, 40, append(repeat("n", 30), repeat("left", 5)...)},
		{"visual-80x24-picker.golden", 80, 24, []string{"b", "down", "down", "down", "down", "space"}},
		{"visual-80x24-help.golden", 80, 24, []string{"?"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := press(recorded(tc.w, tc.h), tc.keys...)
			golden(t, tc.name, plain(m.View()))
		})
	}
}
