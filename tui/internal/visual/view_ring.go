package visual

import (
	"fmt"
	"strconv"
	"strings"

	"asyncworkbook/phases/trace"
	"asyncworkbook/tui/internal/tracestate"
)

// The ring panel (phase 2): the SQ and CQ as rows of slots with their
// head and tail, the ops in flight, and which task the last CQE woke.
// Shown only when the run has phase-2 events, so phase-1 views are
// unchanged. Two forms:
//
//   - full (height ≥ ringFullHeight): each queue on two lines (slots, then
//     H and T markers under them), a table of the ops in flight, the last
//     CQE;
//   - compact: one line per queue with H and T written before their slots,
//     the ops in flight on one line, the last CQE.
//
// Everything reads without colour: ■ an entry, · a free slot, ▣ the CQE
// being reaped, □ a CQE already reaped whose slot the batch has not yet
// released; H head, T tail, * both (an empty — or full — queue).

const (
	maxSlots       = 32 // slots drawn per queue; more are windowed
	ringFullHeight = 32 // from this height the panel has its full form
)

// Slot glyphs.
const (
	glyphFree    = '·'
	glyphEntry   = '■'
	glyphReaping = '▣'
	glyphReaped  = '□'
)

// ringHeight is the panel's inner height for a screen of height h: the
// fast-path rows (view_ring_fast.go) count when the run has them, so the
// layout does not move as the cursor does.
func (m Model) ringHeight(h int) int {
	if h < ringFullHeight {
		return 4 + min(m.fastRows(), 1)
	}
	return 4 + 1 + opRows(h) + 1 + m.fastRows()
}

// opRows is how many rows the full form gives the in-flight table.
func opRows(h int) int { return max(2, min(8, (h-30)/2)) }

func (m Model) ringTitle(st *tracestate.State) string {
	r := &st.Ring
	sqes := r.Prepared + r.OwnSQEs()
	own := ""
	if n := r.OwnSQEs(); n > 0 {
		own = fmt.Sprintf(" (%d the reactor's own)", n)
	}
	return fmt.Sprintf("Ring · %d enter%s · %d SQE%s%s · %d CQE%s", r.Submits, plural(r.Submits), sqes, plural(sqes), own, r.Reaped, plural(r.Reaped))
}

// inCQ finds which in-flight ops have their CQE in the CQ already: the
// CQ holds CQWaiting CQEs not handled yet, and the next that many
// CQEReaped events in the history (when it has them) say whose. known is
// false when the history ends before all of them are traced.
func (m Model) inCQ(st *tracestate.State) (ud map[uint64]int, known bool) {
	waiting := st.Ring.CQWaiting()
	if waiting == 0 {
		return nil, true
	}
	ud = map[uint64]int{}
	evs := m.hist.Events()
	for i := m.hist.Pos(); i < len(evs) && waiting > 0; i++ {
		if evs[i].Kind == trace.CQEReaped {
			ud[evs[i].UserData]++
			waiting--
		}
	}
	return ud, waiting == 0
}

// stageOf is an op's stage as the trace shows it: an op "in kernel"
// whose CQE is already in the CQ says so.
func stageOf(o *tracestate.Op, inCQ map[uint64]int, known bool) string {
	if o.Stage != tracestate.InKernel {
		return stageText(o)
	}
	if inCQ[o.UserData] > 0 {
		inCQ[o.UserData]--
		return "■ CQE in CQ"
	}
	if !known {
		return "● in kernel or CQ"
	}
	if o.MoreCQEs > 0 {
		// Short enough for the STAGE column: "● multishot, 3 CQEs".
		return fmt.Sprintf("● multishot, %d CQE%s", o.MoreCQEs, plural(o.MoreCQEs))
	}
	return o.Stage.String()
}

// ringPanel draws the panel body: rows lines of width w.
func (m Model) ringPanel(st *tracestate.State, w, h int) string {
	r := &st.Ring
	var lines []string
	full := h >= ringFullHeight
	reap := -1 // offset from the CQ head of the CQE being reaped
	if r.Reaping {
		reap = int(r.ReapIndex - r.CQ.Head)
	}
	for _, q := range []struct {
		name   string
		pos    trace.RingPos
		reap   int
		legend string
	}{
		{"SQ", r.SQ, -1, "■=SQE waiting for the kernel  ·=free  H=head  T=tail  *=both"},
		{"CQ", r.CQ, reap, "■=CQE waiting  ▣=being reaped  □=reaped, slot not yet released"},
	} {
		if !r.HasPos {
			lines = append(lines, q.name+"  "+m.styles.Subtle.Render("(no ring positions in the trace yet)"))
			if full {
				lines = append(lines, "")
			}
			continue
		}
		if q.pos.Entries == 0 { // the fallback ring's CQ: a list, not a ring
			lines = append(lines, fmt.Sprintf("%-4s%s", q.name, queueInfo(q.pos)))
			if full {
				lines = append(lines, "")
			}
			continue
		}
		slots, marks, note := drawQueue(q.pos, q.reap, !full)
		if !full {
			note = strings.Replace(note, "slots ", "", 1)
		}
		info := queueInfo(q.pos) + note
		lines = append(lines, fmt.Sprintf("%-4s%s  %s", q.name, slots, info))
		if full {
			lines = append(lines, "    "+marks+"  "+m.styles.Subtle.Render(q.legend))
		}
	}
	lines = append(lines, m.fastLines(st, full)...) // buffers and file slots (view_ring_fast.go)
	if full {
		lines = append(lines, m.opTable(st, opRows(h))...)
	} else {
		lines = append(lines, m.opLine(st))
	}
	lines = append(lines, m.cqeLine(st))
	return strings.Join(lines, "\n")
}

// queueInfo is "8/64 · head 2 tail 10".
func queueInfo(q trace.RingPos) string {
	if q.Entries == 0 {
		return fmt.Sprintf("%d ready (the fallback ring's CQ has no fixed size)", tracestate.Occupied(q))
	}
	return fmt.Sprintf("%d/%d · head %d tail %d", tracestate.Occupied(q), q.Entries, q.Head, q.Tail)
}

// drawQueue returns the slot row, the marker row under it, and a note on
// the window drawn when the queue has more than maxSlots slots. inline
// writes H and T into the slot row instead (the compact form). reap is
// the offset from the head of the CQE being reaped, or -1.
func drawQueue(q trace.RingPos, reap int, inline bool) (slots, marks, note string) {
	n := int(q.Entries)
	if n == 0 {
		return "", "", ""
	}
	occ := min(int(tracestate.Occupied(q)), n)
	headSlot, tailSlot := int(q.Head%q.Entries), int(q.Tail%q.Entries)
	width, start := n, 0
	if n > maxSlots {
		// A window that moves in steps of 16, holding the head.
		width, start = maxSlots, headSlot/16*16
		end := (start + width - 1) % n
		note = fmt.Sprintf(" · slots %d–%d of %d", start, end, n)
	}
	var sb, mb strings.Builder
	sb.Grow(width * 3)
	mb.Grow(width)
	for i := range width {
		s := (start + i) % n
		d := (s - headSlot + n) % n // distance from the head
		g := glyphFree
		switch {
		case d < occ && reap >= 0 && d < reap:
			g = glyphReaped
		case d < occ && d == reap:
			g = glyphReaping
		case d < occ:
			g = glyphEntry
		}
		mark := ' '
		switch {
		case s == headSlot && s == tailSlot:
			mark = '*'
		case s == headSlot:
			mark = 'H'
		case s == tailSlot:
			mark = 'T'
		}
		if inline && mark != ' ' {
			sb.WriteRune(mark) // before its slot: the slot keeps its glyph
		}
		sb.WriteRune(g)
		mb.WriteRune(mark)
	}
	return sb.String(), mb.String(), note
}

// opTable is the in-flight table: a header and rows lines.
func (m Model) opTable(st *tracestate.State, rows int) []string {
	row := func(ud, op, fd, task, stage, age string) string {
		return fmt.Sprintf("%-20s%-14s%5s  %-6s%-24s%s", ud, op, fd, task, stage, age)
	}
	ops := st.InFlight()
	out := make([]string, 0, rows+1)
	head := fmt.Sprintf("   %d in flight", len(ops))
	if n := st.Ring.OwnInFlight(); n > 0 {
		head += fmt.Sprintf(" + %d of the reactor's own", n)
	}
	out = append(out, m.styles.Subtle.Render(row("USER_DATA", "OP", "FD", "TASK", "STAGE", "AGE")+head))
	if len(ops) == 0 {
		out = append(out, m.styles.Subtle.Render("(nothing in flight)"))
	}
	start := min(m.scroll[panelRing], max(0, len(ops)-rows))
	cq, known := m.inCQ(st)
	for i := 0; i < start; i++ {
		stageOf(&ops[i], cq, known) // the CQEs of ops scrolled past
	}
	for i := start; i < len(ops) && len(out) <= rows; i++ {
		if len(out) == rows && i < len(ops)-1 {
			out = append(out, m.styles.Subtle.Render(fmt.Sprintf("… %d more (tab to focus this panel, ↑/↓ to scroll)", len(ops)-i)))
			break
		}
		o := &ops[i]
		evs, ns := st.OpAge(o)
		fd := fdText(o.FD)
		if o.Fixed {
			fd = slotText(o.FD)
		}
		out = append(out, row(fmt.Sprintf("%#x", o.UserData), o.Op, fd, taskText(st, o.Exec, o.Task), stageOf(o, cq, known), ageText(evs, ns)))
	}
	for len(out) < rows+1 {
		out = append(out, "")
	}
	return out
}

// opLine is the compact form of the in-flight table.
func (m Model) opLine(st *tracestate.State) string {
	ops := st.InFlight()
	var b strings.Builder
	fmt.Fprintf(&b, "In flight %d:", len(ops))
	if len(ops) == 0 {
		b.WriteString(m.styles.Subtle.Render(" nothing"))
	}
	cq, known := m.inCQ(st)
	first := min(m.scroll[panelRing], max(0, len(ops)-1))
	for i := range first {
		stageOf(&ops[i], cq, known)
	}
	for i := first; i < len(ops) && b.Len() < 200; i++ {
		o := &ops[i]
		stage := ""
		switch o.Stage {
		case tracestate.InSQ:
			stage = " ◌SQ"
		case tracestate.Cancelling:
			stage = " ✗cancelled"
		default:
			switch stageOf(o, cq, known) {
			case "■ CQE in CQ":
				stage = " ■CQ"
			case "● in kernel or CQ":
				stage = " ●kernel/CQ"
			}
		}
		fmt.Fprintf(&b, " %s %s %#x%s ·", o.Op, taskText(st, o.Exec, o.Task), o.UserData, stage)
	}
	return strings.TrimSuffix(b.String(), " ·")
}

// cqeLine is the last CQE and the task it woke.
func (m Model) cqeLine(st *tracestate.State) string {
	c := &st.Ring.LastCQE
	if !c.Valid {
		return "Last CQE: " + m.styles.Subtle.Render("none yet")
	}
	head := fmt.Sprintf("Last CQE: %s %#x res %s", c.Op, c.UserData, tracestate.ResText(c.Res))
	var to string
	switch {
	case c.Own():
		to = "no task: the reactor's own, " + c.OwnName()
	case c.Task == 0 && c.Cancelled:
		to = "no task: orphan of a cancelled " + c.Op + ", memory released"
	case c.Task == 0:
		to = "no task"
	case c.Woken && c.Coalesced:
		to = "woke " + taskText(st, c.Exec, c.Task) + " (already queued: wake coalesced)"
	case c.Woken:
		to = "woke " + taskText(st, c.Exec, c.Task)
	default:
		to = taskText(st, c.Exec, c.Task) + " (its waker fires next)"
	}
	s := head + " → " + to
	if c.Note != "" {
		s += " · " + c.Note // multishot: F_MORE or last, buffer, ring occupancy
	}
	if c.Known {
		s += " · in flight " + ageText(c.Age, c.AgeNS)
	}
	return s
}

func stageText(o *tracestate.Op) string {
	if o.Stage == tracestate.InSQ && o.HasSQ {
		return "◌ in SQ (index " + strconv.FormatUint(uint64(o.SQIndex), 10) + ")"
	}
	return o.Stage.String()
}

func taskText(st *tracestate.State, exec uint32, task uint64) string {
	if task == 0 {
		return "-"
	}
	return st.Label(tracestate.Key{Exec: exec, Task: task})
}

func fdText(fd int32) string {
	switch {
	case fd == -100:
		return "CWD"
	case fd < 0:
		return "-"
	}
	return strconv.Itoa(int(fd))
}

// ageText is "14 ev · 45µs", or "14 ev" when no clock reading came
// between (the trace reads the clock only at turns, polls and parks).
func ageText(evs int, ns int64) string {
	if ns == 0 {
		return strconv.Itoa(evs) + " ev"
	}
	return strconv.Itoa(evs) + " ev · " + nsText(ns)
}

// nsText is a duration for a table: "850ns", "45µs", "1.2ms", "3.4s".
func nsText(ns int64) string {
	switch {
	case ns < 0:
		return "?"
	case ns < 1_000:
		return strconv.FormatInt(ns, 10) + "ns"
	case ns < 1_000_000:
		return strconv.FormatInt(ns/1_000, 10) + "µs"
	case ns < 1_000_000_000:
		return strconv.FormatFloat(float64(ns)/1e6, 'f', 1, 64) + "ms"
	}
	return strconv.FormatFloat(float64(ns)/1e9, 'f', 1, 64) + "s"
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
