package visual

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"asyncworkbook/phases/trace"
	"asyncworkbook/tui/internal/theme"
	"asyncworkbook/tui/internal/tracestate"
)

// The executors side by side (phase 4): when the trace is a pool's, the
// task panel gives way to a column per executor — what it runs, its
// task queues (phase 3's: each with its ready tasks, ▸ the one running),
// parked or awake, its ring — with the recent messages drawn as
// arrows between the columns and a heat map of who sent whom how much.
// Keys 1–9 focus one executor (0: none); below 100×32 the layout is
// condensed (four lines a column, the heat map on one line).

// poolView caches the pool state at the history's cursor: moving forward
// applies the new events, going back rebuilds from the start. Shared by
// copies of the Model, like the History.
type poolView struct {
	hist    *History
	pos     int
	st      *tracestate.Pool
	scanned int  // events of hist looked at for pool kinds
	has     bool // the history holds a pool event
	focus   int  // focused column + 1; 0: none
}

// isPool reports whether the history is a pool's trace.
func (m Model) isPool() bool {
	v := m.pool
	if v == nil {
		return false
	}
	if v.hist != m.hist {
		*v = poolView{hist: m.hist, st: &tracestate.Pool{}, focus: v.focus}
	}
	evs := m.hist.Events()
	for ; !v.has && v.scanned < len(evs); v.scanned++ {
		v.has = tracestate.IsPoolKind(evs[v.scanned].Kind)
	}
	return v.has
}

// poolState returns the pool at the cursor.
func (m Model) poolState() *tracestate.Pool {
	v := m.pool
	m.isPool()
	pos := m.hist.Pos()
	if pos < v.pos {
		v.st, v.pos = &tracestate.Pool{}, 0
	}
	for ; v.pos < pos; v.pos++ {
		v.st.Apply(m.hist.Event(v.pos))
	}
	return v.st
}

// focusExec handles a digit: focus column d-1, or none for 0.
func (m Model) focusExec(d int) {
	if m.pool == nil {
		return
	}
	n := len(m.poolState().Cols)
	switch {
	case d == 0:
		m.pool.focus = 0
	case d <= n:
		m.pool.focus = d
	}
}

// condensed: below this the pool panel is condensed.
const poolFullRows, poolFullCols = 32, 100

// renderPool is render's layout for a pool's trace.
func (m Model) renderPool(st *tracestate.State, w, h int) string {
	p := m.poolState()
	full := h >= poolFullRows && w >= poolFullCols
	top := []string{m.headerLine(w), m.poolLine(p, w)}
	bottom := []string{m.queueLine(st, w), "", "", m.statusLine(w), m.helpLine(w)}
	copy(bottom[1:3], wrapLines("Now: "+m.sentence(st), w, 2))

	room := h - len(top) - len(bottom) - 4 // two panels, two border lines each
	body := m.poolBody(st, p, w-2, full)
	poolRows := max(min(len(body), room-3), 1)
	eventRows := max(room-poolRows, 1)
	var mid string
	switch {
	case m.picker.open:
		all := poolRows + eventRows + 2
		mid = m.panel("Breakpoints", true, m.picker.view(m.styles, all), w, all)
	case m.showHelp:
		all := poolRows + eventRows + 2
		mid = m.panel("Keys", false, m.helpBody(w-4), w, all)
	default:
		title := fmt.Sprintf("Executors · %d", len(p.Cols))
		mid = m.panel(title, m.focus == panelTasks, strings.Join(body, "\n"), w, poolRows) + "\n" +
			m.panel("Events", m.focus == panelEvents, m.eventLog(w-2, eventRows), w, eventRows)
	}
	return theme.Frame(top, []string{mid}, bottom, w, h)
}

// poolLine sums the pool up under the header.
func (m Model) poolLine(p *tracestate.Pool, w int) string {
	sent, wakes := 0, 0
	for _, c := range p.Cols {
		sent += c.Sent
		wakes += c.Wakes
	}
	focus := "1–9 focus an executor"
	if f := m.focused(p); f >= 0 {
		focus = "focus " + p.Label(f) + " (0: none)"
	}
	left := fmt.Sprintf("Pool of %d · %d message%s · %d wake%s", len(p.Cols), sent, plural(sent), wakes, plural(wakes))
	return spread(left, m.styles.Subtle.Render(focus), w)
}

// poolBody is the executors panel's lines: the columns, the flows, the
// heat map and, with an executor focused, its tasks.
func (m Model) poolBody(st *tracestate.State, p *tracestate.Pool, w int, full bool) []string {
	if len(p.Cols) == 0 {
		return []string{m.styles.Subtle.Render("(no executor has started yet)")}
	}
	vis, colW := m.visibleCols(p, w) // column indexes, in pool order
	var lines []string
	rows := m.columnRows(p, vis, colW, full)
	lines = append(lines, rows...)
	flows := m.flowLines(p, vis, colW, w, full)
	lines = append(lines, flows...)
	lines = append(lines, m.heatLines(p, w, full)...)
	if f := m.focused(p); f >= 0 {
		lines = append(lines, ansi.Truncate(m.focusTasks(st, p, f), w, "…"))
	}
	for i, l := range lines {
		lines[i] = ansi.Truncate(l, w, "…")
	}
	return lines
}

// focused returns the focused column's index, or -1. Keys 1–9 count
// columns in pool order.
func (m Model) focused(p *tracestate.Pool) int {
	f := m.pool.focus
	if f <= 0 || f > len(p.Cols) {
		return -1
	}
	return p.Order()[f-1]
}

// visibleCols chooses the columns that fit in w (at least 14 cells
// each), in pool order, keeping the focused one in view, and their width.
func (m Model) visibleCols(p *tracestate.Pool, w int) ([]int, int) {
	order := p.Order()
	n := len(order)
	fit := max(1, min(n, (w+1)/15))
	start := 0
	if f := m.pool.focus - 1; f >= fit && f < n {
		start = min(f-fit+1, n-fit)
	}
	return order[start : start+fit], max((w-(fit-1))/fit, 1)
}

// columnRows draws the columns side by side, "│" between them.
func (m Model) columnRows(p *tracestate.Pool, vis []int, colW int, full bool) []string {
	cells := make([][]string, len(vis))
	for k, i := range vis {
		c := &p.Cols[i]
		head := p.Label(i)
		if c.Index >= 0 {
			head += fmt.Sprintf(" #%d", c.Index)
		}
		if c.CPUs != "" {
			head += " · cpu " + c.CPUs
		} else {
			head += " · unpinned"
		}
		focused := m.focused(p) == i
		if focused {
			head = "▸" + head
		}
		ring := "ring -"
		if c.SQ.Entries > 0 {
			ring = fmt.Sprintf("SQ %d/%d CQ %d/%d", c.SQ.Tail-c.SQ.Head, c.SQ.Entries, c.CQ.Tail-c.CQ.Head, c.CQ.Entries)
		}
		stop := c.Stop
		if stop == "" {
			stop = "running"
		}
		var col []string
		if full {
			col = []string{
				head,
				c.Status(),
				fmt.Sprintf("ready %d · live %d", c.Ready, c.Live),
				"queues " + dash(c.QueueLine()),
				fmt.Sprintf("inbox %d · open %d", c.Inbox, c.Open) + waitNote(c.Waiting),
				ring,
				fmt.Sprintf("sent %d · recv %d", c.Sent, c.Recv),
				fmt.Sprintf("tid %d · %s · %s", c.Thread, dash(c.RingKind), stop),
			}
		} else {
			col = []string{
				head,
				c.Status(),
				condensedCounts(c),
				ring + " · " + stop,
			}
		}
		for r := range col {
			col[r] = padTo(ansi.Truncate(col[r], colW, "…"), colW)
			if r == 0 && focused {
				col[r] = m.styles.Selected.Render(col[r])
			}
		}
		cells[k] = col
	}
	var out []string
	for r := range cells[0] {
		parts := make([]string, len(cells))
		for k := range cells {
			parts[k] = cells[k][r]
		}
		out = append(out, strings.Join(parts, "│"))
	}
	if hidden := len(p.Cols) - len(vis); hidden > 0 {
		out = append(out, m.styles.Subtle.Render(fmt.Sprintf("+%d executor%s not shown: 1–9 focuses one", hidden, plural(hidden))))
	}
	return out
}

// condensedCounts is a condensed column's third line: the task queues
// (phase 3's, when the trace has them) in place of the bare ready count.
func condensedCounts(c *tracestate.Column) string {
	counts := fmt.Sprintf("live %d in %d out %d", c.Live, c.Inbox, c.Open) + waitNote(c.Waiting)
	if q := c.QueueLine(); q != "" {
		return "q " + q + " · " + counts
	}
	return fmt.Sprintf("rdy %d ", c.Ready) + counts
}

func waitNote(n int) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprintf(" (+%d wait)", n)
}

// flowLines draws the recent messages as arrows from the sender's column
// to the receiver's: ┄ written but not yet published, ─ published, ━
// taken by the receiver. A message to or from a column not shown is
// written out instead.
func (m Model) flowLines(p *tracestate.Pool, vis []int, colW, w int, full bool) []string {
	n := 2
	if full {
		n = 6
	}
	flows := p.Flows
	if len(flows) > n {
		flows = flows[len(flows)-n:]
	}
	pos := map[int]int{} // column → its centre
	for k, i := range vis {
		pos[i] = k*(colW+1) + colW/2
	}
	var out []string
	if len(flows) == 0 {
		if len(p.Cols) > 1 {
			out = append(out, m.styles.Subtle.Render("no message between executors yet"))
		}
		return out
	}
	for _, f := range flows {
		label := fmt.Sprintf(" %s %d ", f.Op, f.Req)
		state := "written"
		dash := "┄"
		switch {
		case f.Delivered:
			state, dash = "taken", "━"
		case f.Published:
			state, dash = "published", "─"
		}
		a, okA := pos[f.From]
		b, okB := pos[f.To]
		if !okA || !okB || a == b {
			out = append(out, fmt.Sprintf("%s %s▶ %s%s(%s)", p.Label(f.From), dash, p.Label(f.To), label, state))
			continue
		}
		line := []rune(strings.Repeat(" ", w))
		lo, hi := min(a, b), max(a, b)
		for x := lo; x <= hi && x < w; x++ {
			line[x] = []rune(dash)[0]
		}
		if b > a {
			line[min(hi, w-1)] = '▶'
		} else {
			line[lo] = '◀'
		}
		// The label in the middle of the arrow if it fits, else after it.
		lr := []rune(label + "· " + state + " ")
		if hi-lo-2 >= len(lr) {
			at := lo + (hi-lo-len(lr))/2 + 1
			copy(line[at:], lr)
		} else if hi+1+len(lr) <= w {
			copy(line[hi+1:], lr)
		}
		out = append(out, strings.TrimRight(string(line), " "))
	}
	return out
}

// heat glyphs, from few messages to the most.
var heatGlyphs = []string{"·", "░", "▒", "▓", "█"}

func heatGlyph(v, most int) string {
	if v == 0 || most == 0 {
		return heatGlyphs[0]
	}
	return heatGlyphs[1+min(3, (v*4-1)/most)]
}

// heatLines is the heat map: messages sent from each executor (rows) to
// each (columns). Condensed: one line of the busiest pairs.
func (m Model) heatLines(p *tracestate.Pool, w int, full bool) []string {
	most := 0
	for _, row := range p.Heat {
		for _, v := range row {
			most = max(most, v)
		}
	}
	if most == 0 {
		return nil
	}
	order := p.Order()
	if !full || len(p.Cols) > 8 {
		var parts []string
		for _, i := range order {
			for _, j := range order {
				if v := p.Heat[i][j]; v > 0 {
					parts = append(parts, fmt.Sprintf("%s→%s %d%s", p.Label(i), p.Label(j), v, heatGlyph(v, most)))
				}
			}
		}
		return []string{ansi.Truncate("heat: "+strings.Join(parts, " · "), w, "…")}
	}
	const cw = 8
	head := padTo("from\\to", 8)
	for _, j := range order {
		head += padTo(p.Label(j), cw)
	}
	out := []string{m.styles.Subtle.Render(head)}
	for _, i := range order {
		line := padTo(p.Label(i), 8)
		for _, j := range order {
			v := p.Heat[i][j]
			cell := heatGlyph(v, most) + " "
			if v > 0 {
				cell += fmt.Sprint(v)
			}
			line += padTo(cell, cw)
		}
		out = append(out, line)
	}
	return out
}

// focusTasks lists the focused executor's tasks as the State knows them.
func (m Model) focusTasks(st *tracestate.State, p *tracestate.Pool, i int) string {
	c := &p.Cols[i]
	var parts []string
	for _, t := range st.Tasks {
		if t.Exec != c.Exec {
			continue
		}
		name := t.Name
		if name == "" {
			name = fmt.Sprintf("T%d", t.Task)
		}
		parts = append(parts, t.Status.Glyph()+" "+name)
	}
	if len(parts) == 0 {
		return p.Label(i) + " tasks: none yet"
	}
	return p.Label(i) + " tasks: " + strings.Join(parts, " · ")
}

// padTo pads s with spaces to n cells.
func padTo(s string, n int) string {
	if d := n - ansi.StringWidth(s); d > 0 {
		return s + strings.Repeat(" ", d)
	}
	return s
}

// poolDetail is the event log's detail for a phase-4 event.
func poolDetail(e *trace.Event) string {
	peer := fmt.Sprintf("E%d", e.Peer)
	switch e.Kind {
	case trace.ExecutorStarted:
		cpus := e.CPUs
		if cpus == "" {
			cpus = "unpinned"
		}
		return fmt.Sprintf("#%d cpu %s tid %d", e.Index, cpus, e.Thread)
	case trace.MsgSent:
		return fmt.Sprintf("%s %d → %s depth=%d", e.Op, e.Req, peer, e.Depth)
	case trace.MsgReceived:
		return fmt.Sprintf("%s %d ← %s left=%d", e.Op, e.Req, peer, e.Depth)
	case trace.MsgFlushed:
		return fmt.Sprintf("%d → %s depth=%d", e.Count, peer, e.Depth)
	case trace.MsgWake:
		return "→ " + peer
	case trace.SubmitStarted, trace.SubmitWaiting, trace.SubmitAnswered:
		return fmt.Sprintf("req %d %s open=%d", e.Req, peer, e.Count)
	case trace.StopAccepting, trace.Draining, trace.DeadlinePassed, trace.ExecutorClosed:
		return fmt.Sprintf("count=%d", e.Count)
	case trace.PlacementPlanned:
		return e.Name + " → " + e.CPUs
	}
	return ""
}
