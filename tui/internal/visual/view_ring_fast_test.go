package visual

import (
	"regexp"
	"strconv"
	"strings"
	"testing"

	"asyncworkbook/phases/trace"
	"asyncworkbook/tui/internal/fixture"
)

func recordedDirect(w, h int) Model {
	m := NewRecorded("A connection that has no descriptor", "server accepts into a registered-file slot and reads from provided buffers.", fixture.P2DirectEcho())
	m.SetSize(w, h)
	return m
}

// TestRingFastGolden: the recorded p2-direct-echo trace when the server
// holds the provided buffer its first message went into (43 events), and
// when the direct descriptor's CLOSE is prepared (144), at both sizes.
func TestRingFastGolden(t *testing.T) {
	for _, tc := range []struct {
		name string
		w, h int
		at   int
	}{
		{"ring-fast-120x40-held.golden", 120, 40, 43},
		{"ring-fast-80x24-held.golden", 80, 24, 43},
		{"ring-fast-120x40-close.golden", 120, 40, 144},
		{"ring-fast-80x24-close.golden", 80, 24, 144},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := press(recordedDirect(tc.w, tc.h), repeat("n", tc.at)...)
			golden(t, tc.name, plain(m.View()))
		})
	}
}

// TestRingFastRowsAgreeWithTheTrace: at every event of the recorded run,
// in both forms, the Bufs and Files rows say what the latest event
// carrying them says, and the full form draws one ■ per buffer with the
// kernel, one □ per buffer a reader holds, one d per direct slot. A view
// that kept the first occupancy it saw, or counted held buffers as the
// kernel's, disagrees within a few events.
func TestRingFastRowsAgreeWithTheTrace(t *testing.T) {
	evs := fixture.P2DirectEcho()
	bufsRe := regexp.MustCompile(`Bufs +([■□·]*) *kernel (\d+) · held (\d+) · of (\d+) · recycled (\d+)`)
	filesRe := regexp.MustCompile(`Files +([df·]*) *used (\d+)/(\d+) · direct (\d+) · fd (\d+)`)
	num := func(s string) uint64 { n, _ := strconv.ParseUint(s, 10, 64); return n }
	for _, sz := range [][2]int{{120, 40}, {80, 24}} {
		full := sz[1] >= ringFullHeight
		m := recordedDirect(sz[0], sz[1])
		var bufs trace.BufRingPos
		var files trace.FileTablePos
		sawHeld, sawDirect := false, false
		for i := range evs {
			m = press(m, "n")
			if evs[i].Bufs != (trace.BufRingPos{}) {
				bufs = evs[i].Bufs
			}
			if evs[i].Files != (trace.FileTablePos{}) {
				files = evs[i].Files
			}
			v := plain(m.View())
			if bufs.Buffers > 0 {
				g := bufsRe.FindStringSubmatch(v)
				if g == nil {
					t.Fatalf("%dx%d, event %d: no Bufs row:\n%s", sz[0], sz[1], i+1, v)
				}
				if num(g[2]) != uint64(bufs.Kernel) || num(g[3]) != uint64(bufs.Held()) || num(g[4]) != uint64(bufs.Buffers) || num(g[5]) != bufs.Recycled {
					t.Fatalf("%dx%d, event %d: Bufs row %q, the trace says %+v", sz[0], sz[1], i+1, g[0], bufs)
				}
				if full && (strings.Count(g[1], "■") != int(bufs.Kernel) || strings.Count(g[1], "□") != int(bufs.Held())) {
					t.Fatalf("%dx%d, event %d: glyphs %q for %+v", sz[0], sz[1], i+1, g[1], bufs)
				}
				sawHeld = sawHeld || bufs.Held() > 0
			}
			if files.Slots > 0 {
				g := filesRe.FindStringSubmatch(v)
				if g == nil {
					t.Fatalf("%dx%d, event %d: no Files row:\n%s", sz[0], sz[1], i+1, v)
				}
				if num(g[2]) != uint64(files.Used) || num(g[3]) != uint64(files.Slots) || num(g[4]) != uint64(files.Direct) || num(g[5]) != uint64(files.Used-files.Direct) {
					t.Fatalf("%dx%d, event %d: Files row %q, the trace says %+v", sz[0], sz[1], i+1, g[0], files)
				}
				if full && strings.Count(g[1], "d") != int(files.Direct) {
					t.Fatalf("%dx%d, event %d: glyphs %q for %+v", sz[0], sz[1], i+1, g[1], files)
				}
				sawDirect = sawDirect || files.Direct > 0
			}
		}
		if !sawHeld || !sawDirect {
			t.Fatalf("the fixture never shows a held buffer (%v) or a direct slot (%v): the test tests nothing", sawHeld, sawDirect)
		}
	}
}

// TestRingFastRowsOnlyWhenTheRunHasThem: a trace without Bufs or Files
// (p2-batch-reads) keeps its panel as it was.
func TestRingFastRowsOnlyWhenTheRunHasThem(t *testing.T) {
	for _, sz := range [][2]int{{80, 24}, {120, 40}} {
		v := plain(press(recordedRing(sz[0], sz[1]), repeat("n", 37)...).View())
		if strings.Contains(v, "Bufs ") || strings.Contains(v, "Files ") {
			t.Fatalf("%dx%d: fast-path rows in a run without them:\n%s", sz[0], sz[1], v)
		}
	}
}

// TestDirectSlotInTheOpTable: an op on a registered-file slot shows the
// slot ("s0"), not a descriptor number.
func TestDirectSlotInTheOpTable(t *testing.T) {
	m := press(recordedDirect(120, 40), repeat("n", 31)...) // the server's multishot RECV on slot 2
	v := plain(m.View())
	if !regexp.MustCompile(`0x[0-9a-f]+ +RECV +s2 `).MatchString(v) {
		t.Fatalf("the RECV on slot 2 is not shown as s2:\n%s", v)
	}
}

// TestRingFastGlyphsCountBoth: a synthetic run where readers hold more
// than one buffer at a time and the table mixes direct and registered
// slots: every glyph count matches (the recorded demo never holds two).
func TestRingFastGlyphsCountBoth(t *testing.T) {
	var evs []trace.Event
	for i, k := range []uint32{8, 5, 2, 0, 6} {
		evs = append(evs, trace.Event{Seq: uint64(i + 1), Exec: 1, Kind: trace.BufsRecycled, Count: 1,
			Bufs:  trace.BufRingPos{Buffers: 8, Kernel: k, Recycled: uint64(i)},
			Files: trace.FileTablePos{Slots: 6, Used: uint32(i + 1), Direct: uint32(i / 2)}})
	}
	m := NewRecorded("synthetic", "", evs)
	m.SetSize(120, 40)
	for i, e := range evs {
		m = press(m, "n")
		v := plain(m.View())
		want := strings.Repeat("■", int(e.Bufs.Kernel)) + strings.Repeat("□", int(e.Bufs.Held()))
		want += strings.Repeat("·", 8-len([]rune(want)))
		if !strings.Contains(v, "Bufs  "+want+"  kernel") {
			t.Fatalf("event %d: want Bufs glyphs %q:\n%s", i+1, want, v)
		}
		f := e.Files
		wantF := strings.Repeat("d", int(f.Direct)) + strings.Repeat("f", int(f.Used-f.Direct)) + strings.Repeat("·", int(f.Slots-f.Used))
		if !strings.Contains(v, "Files "+wantF+"  used") {
			t.Fatalf("event %d: want Files glyphs %q:\n%s", i+1, wantF, v)
		}
	}
}
