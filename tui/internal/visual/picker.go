package visual

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"asyncworkbook/phases/trace"
)

// picker is the small breakpoint picker: one line per event kind, with a
// box that says whether play stops there.
type picker struct {
	open   bool
	cursor int
	kinds  []trace.Kind
	set    trace.KindSet
}

func newPicker() picker { return picker{kinds: trace.Kinds()} }

// update handles a key while the picker is open; changed reports a new set.
func (p picker) update(msg tea.KeyPressMsg, k KeyMap) (picker, bool) {
	switch {
	case key.Matches(msg, k.Up):
		p.cursor = max(p.cursor-1, 0)
	case key.Matches(msg, k.Down):
		p.cursor = min(p.cursor+1, len(p.kinds)-1)
	case key.Matches(msg, k.Toggle):
		kind := p.kinds[p.cursor]
		if p.set.Has(kind) {
			p.set = p.set.Without(kind)
		} else {
			p.set = p.set.With(kind)
		}
		return p, true
	case key.Matches(msg, k.Close):
		p.open = false
	}
	return p, false
}

// view draws the picker in rows lines, scrolled to keep the cursor in view.
func (p picker) view(s Styles, rows int) string {
	var b strings.Builder
	b.WriteString(s.Subtle.Render("Play, N and the runtime stop at the kinds marked [x].") + "\n")
	n := max(rows-2, 1)
	start := max(0, min(p.cursor-n/2, len(p.kinds)-n))
	for i := start; i < min(len(p.kinds), start+n); i++ {
		kind := p.kinds[i]
		box := "[ ]"
		if p.set.Has(kind) {
			box = "[x]"
		}
		line := box + " " + kind.String()
		if i == p.cursor {
			line = s.Selected.Render("▸ " + line)
		} else {
			line = "  " + line
		}
		b.WriteString(line + "\n")
	}
	b.WriteString(s.Subtle.Render("↑/↓ move · space toggle · b/esc close"))
	return b.String()
}
