package visual

import (
	"fmt"
	"strconv"
	"strings"

	"asyncworkbook/tui/internal/tracestate"
)

// The ring panel's fast-path rows (phase 2, issue 10): the
// provided-buffer ring's occupancy and the registered-file table, from
// the latest event carrying them (trace.Event.Bufs and .Files). Shown
// when the run has them, so earlier traces look as they did:
//
//	Bufs  ■■■□  kernel 3 · held 1 · of 4 · recycled 5
//	Files ddf··  used 3/5 · direct 2 · fd 1
//
// ■ a buffer in the ring for the kernel to fill, □ one a reader holds
// (filled, not yet read out); d a slot holding a direct descriptor, f one
// holding a registered descriptor, · a free slot. Counts, drawn in that
// order: the trace does not say which slot is which. The compact form has
// one line with both.

const maxFastGlyphs = 32 // glyphs drawn per row; a larger table shows counts only

// fastRows is how many rows the run's fast paths take in the full form:
// one for the buffer ring, one for the file table, if the run has them.
func (m Model) fastRows() int {
	head := &m.hist.head.Ring
	n := 0
	if head.HasBufs {
		n++
	}
	if head.HasFiles {
		n++
	}
	return n
}

// fastLines are the fast-path rows: full has one per part, compact one
// for both (none when the run has neither).
func (m Model) fastLines(st *tracestate.State, full bool) []string {
	head, r := &m.hist.head.Ring, &st.Ring
	var bufs, files string
	if head.HasBufs {
		bufs = m.styles.Subtle.Render("(no buffer ring yet)")
		if r.HasBufs {
			b := r.Bufs
			bufs = fmt.Sprintf("kernel %d · held %d · of %d · recycled %d",
				b.Kernel, b.Held(), b.Buffers, b.Recycled)
			if full {
				bufs = glyphs(int(b.Buffers), '■', int(b.Kernel), '□', int(b.Held())) + "  " + bufs +
					"  " + m.styles.Subtle.Render("■=the kernel's to fill  □=held by a reader (filled, not read out)")
			}
		}
	}
	if head.HasFiles {
		files = m.styles.Subtle.Render("(no file table yet)")
		if r.HasFiles {
			f := r.Files
			plain := f.Used - min(f.Direct, f.Used)
			files = fmt.Sprintf("used %d/%d · direct %d · fd %d", f.Used, f.Slots, f.Direct, plain)
			if full {
				files = glyphs(int(f.Slots), 'd', int(f.Direct), 'f', int(plain)) + "  " + files +
					"  " + m.styles.Subtle.Render("d=direct descriptor  f=registered fd  ·=free (counts, not positions)")
			}
		}
	}
	switch {
	case full:
		var out []string
		if head.HasBufs {
			out = append(out, "Bufs  "+bufs)
		}
		if head.HasFiles {
			out = append(out, "Files "+files)
		}
		return out
	case head.HasBufs && head.HasFiles:
		return []string{"Bufs " + bufs + " │ Files " + files}
	case head.HasBufs:
		return []string{"Bufs " + bufs}
	case head.HasFiles:
		return []string{"Files " + files}
	}
	return nil
}

// glyphs draws total slots: a of glyph ga, then b of gb, the rest free.
// A total over maxFastGlyphs draws nothing (the counts follow anyway).
func glyphs(total int, ga rune, a int, gb rune, b int) string {
	if total <= 0 || total > maxFastGlyphs {
		return ""
	}
	a = min(max(a, 0), total)
	b = min(max(b, 0), total-a)
	return strings.Repeat(string(ga), a) + strings.Repeat(string(gb), b) + strings.Repeat(string(glyphFree), total-a-b)
}

// slotText is a registered-file slot for the FD column: "s3".
func slotText(slot int32) string { return "s" + strconv.Itoa(int(slot)) }
