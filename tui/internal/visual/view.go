package visual

import (
	"fmt"
	"strconv"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"asyncworkbook/phases/trace"
	"asyncworkbook/tui/internal/theme"
	"asyncworkbook/tui/internal/tracestate"
)

// viewCache keeps the last rendering: View runs after every message, and
// most messages (a tick while nothing moved) change nothing on screen.
// Shared by copies of the Model, like the History.
type viewCache struct {
	dirty bool
	w, h  int
	s     string
}

// View draws the visualiser in the size given by SetSize.
func (m Model) View() string {
	c := m.cache
	if !c.dirty && c.w == m.width && c.h == m.height && c.s != "" {
		return c.s
	}
	c.s, c.w, c.h, c.dirty = m.render(), m.width, m.height, false
	return c.s
}

// compactBelow: a window with fewer rows (or columns) than this gets the
// compact layout (no panels: the step, its explanation and the keys).
const compactRows, compactCols = 16, 50

func (m Model) render() string {
	w, h := max(m.width, 1), max(m.height, 1)
	st := m.hist.State()
	if h < compactRows || w < compactCols {
		return m.renderCompact(st, w, h)
	}
	if m.isPool() {
		return m.renderPool(st, w, h) // view_pool.go
	}
	top := []string{m.headerLine(w), m.loopLine(st, w)}
	bottom := []string{
		m.queueLine(st, w),
		"", "", // the sentence, two lines
		m.statusLine(w),
		m.helpLine(w),
	}
	now := wrapLines("Now: "+m.sentence(st), w, 2)
	copy(bottom[1:3], now)

	// Tasks and events share what is left, each with a 2-line border;
	// the ring panel, when shown, takes its rows first. room >= 5 here.
	room := h - len(top) - len(bottom) - 4
	ringRows := 0
	if m.hist.HasRing() && room-m.ringHeight(h)-2 >= 5 {
		ringRows = m.ringHeight(h)
		room -= ringRows + 2
	}
	queueRows := 0 // the queue panel (phase 3, view_queue.go)
	if n := m.schedRows(); n > 0 && room-n-2 >= 5 {
		queueRows = n
		room -= n + 2
	}
	taskRows := max(min(len(st.Tasks)+1, max(room/2, 3), room-3), 2)
	eventRows := max(room-taskRows, 1)
	all := taskRows + eventRows + 2
	if ringRows > 0 {
		all += ringRows + 2
	}
	if queueRows > 0 {
		all += queueRows + 2
	}

	var mid string
	switch {
	case m.picker.open:
		mid = m.panel("Breakpoints", true, m.picker.view(m.styles, all), w, all)
	case m.showHelp:
		mid = m.panel("Keys", false, m.helpBody(w-4), w, all)
	default:
		mid = m.panel("Tasks", m.focus == panelTasks, m.taskTable(st, w-2, taskRows), w, taskRows) + "\n"
		if ringRows > 0 {
			mid += m.panel(m.ringTitle(st), m.focus == panelRing, m.ringPanel(st, w-2, h), w, ringRows) + "\n"
		}
		if queueRows > 0 {
			mid += m.panel("Task queues", false, m.queuePanel(st, w-2, queueRows), w, queueRows) + "\n"
		}
		mid += m.panel("Events", m.focus == panelEvents, m.eventLog(w-2, eventRows), w, eventRows)
	}
	return theme.Frame(top, []string{mid}, bottom, w, h)
}

// helpBody is the "?" panel: what to watch for, then every key.
func (m Model) helpBody(w int) string {
	m.help.ShowAll = true
	m.help.SetWidth(w)
	body := m.help.View(m.keys)
	if m.About != "" {
		body = ansi.Wordwrap("What to watch for: "+m.About, w, "") + "\n\n" + body
	}
	return body
}

// renderCompact is the layout for a small window: no panels, but the
// step (header), the loop, the run queue, the explanation of the current
// event and the keys, so stepping still teaches something; the picker
// and the help take the middle when open.
func (m Model) renderCompact(st *tracestate.State, w, h int) string {
	top := []string{m.headerLine(w)}
	foot := []string{m.statusLine(w), m.helpLine(w)}
	rows := theme.BodyRows(h, len(top), len(foot))
	var body []string
	switch {
	case m.picker.open:
		body = []string{m.picker.view(m.styles, rows)}
	case m.showHelp:
		body = []string{m.helpBody(w)}
	default:
		body = []string{m.loopLine(st, w), m.queueLine(st, w)}
		if e := m.hist.Current(); e != nil {
			body = append(body, ansi.Truncate("▸ "+eventText(st, m.hist.Pos(), e), w, "…"))
		}
		hint := h >= 8
		nowRows := max(rows-len(body), 1)
		if hint && nowRows > 1 {
			nowRows--
		}
		body = append(body, wrapLines("Now: "+m.sentence(st), w, nowRows)...)
		if hint {
			body = append(body, m.styles.Subtle.Render(fmt.Sprintf("(a window of %d×%d shows the panels)", max(w, compactCols), max(h, compactRows))))
		}
	}
	return theme.Frame(top, body, foot, w, h)
}

// panel draws a bordered box of exactly rows inner lines; a focused panel
// has a thick border and a ▸ before its title, so focus shows without
// colour.
func (m Model) panel(title string, focused bool, body string, w, rows int) string {
	style := m.styles.Panel
	if focused {
		style = m.styles.Focused
		title = "▸ " + title
	}
	lines := strings.Split(body, "\n")
	if len(lines) > rows {
		lines = lines[:rows]
	}
	for len(lines) < rows {
		lines = append(lines, "")
	}
	for i, l := range lines {
		lines[i] = ansi.Truncate(l, w-2, "…")
	}
	box := style.Width(w).Render(strings.Join(lines, "\n"))
	// Put the title into the top border.
	first, rest, _ := strings.Cut(box, "\n")
	t := " " + title + " "
	if ansi.StringWidth(first) > ansi.StringWidth(t)+3 {
		first = ansi.Truncate(first, 2, "") + m.styles.Title.Render(t) + ansi.TruncateLeft(first, 2+ansi.StringWidth(t), "")
	}
	return first + "\n" + rest
}

func (m Model) headerLine(w int) string {
	left := m.styles.Title.Render("Visualiser · " + m.Title)
	var right string
	switch {
	case m.err != nil:
		right = m.styles.Error.Render("✗ demo failed")
	case m.playing:
		right = fmt.Sprintf("▶ playing %d ev/s", Speeds[m.speed])
	case m.rt == rtFinished:
		right = m.styles.Good.Render("✓ finished")
	case m.rt == rtRecorded:
		right = "● recorded trace"
	case m.rt == rtStopped:
		right = "⏸ stopped"
	case m.hist.Pos() < m.hist.Len():
		right = "⏸ paused"
	default:
		right = "… running"
	}
	step := fmt.Sprintf("event %d/%d", m.hist.Pos(), m.hist.Len())
	if lipgloss.Width(right)+len(step)+3+8 > w {
		// Narrow: the state's glyph only, so the step stays on screen.
		g, _, _ := strings.Cut(ansi.Strip(right), " ")
		return spread(left, g+" "+step, w)
	}
	right += " · " + step
	if m.dropped > 0 {
		right += m.styles.Warning.Render(fmt.Sprintf(" · ⚠ %d events dropped", m.dropped))
	}
	return spread(left, right, w)
}

func (m Model) loopLine(st *tracestate.State, w int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Loop turn %-3d ", st.Turns)
	for i, p := range []tracestate.LoopPhase{tracestate.PhaseTurn, tracestate.PhasePoll, tracestate.PhasePark, tracestate.PhaseWake} {
		if i > 0 {
			b.WriteString(" → ")
		}
		if st.Phase == p {
			b.WriteString(m.styles.Phase.Render("[" + p.String() + "]"))
		} else {
			b.WriteString(" " + p.String() + " ")
		}
	}
	if st.Phase == tracestate.PhaseDone {
		b.WriteString("  (main task done)")
	}
	right := fmt.Sprintf("speed %d ev/s", Speeds[m.speed])
	if m.breaks != 0 {
		right = "breaks: " + m.breaks.String() + " · " + right
	}
	return spread(b.String(), m.styles.Subtle.Render(right), w)
}

func (m Model) queueLine(st *tracestate.State, w int) string {
	var b strings.Builder
	b.WriteString("Run queue (front first): ")
	if len(st.Queue) == 0 {
		b.WriteString(m.styles.Subtle.Render("empty"))
	}
	for i, k := range st.Queue {
		if i > 0 {
			b.WriteString(" ← ")
		}
		b.WriteString(st.Label(k))
	}
	return ansi.Truncate(b.String(), w, "…")
}

func (m Model) sentence(st *tracestate.State) string {
	e := m.hist.Current()
	if e == nil {
		if m.hist.Len() == 0 && m.rt == rtMoving {
			return "Starting the demo…"
		}
		return "Nothing has happened yet: press n to step, space to play."
	}
	if e.Kind == trace.PollEnded && !e.Ready && m.panicsNext(tracestate.Key{Exec: e.Exec, Task: e.Task}) {
		// Older traces record a panicking poll as ended, then the panic.
		return fmt.Sprintf("%s's Poll panicked: the executor ends the poll and records the panic next (not a lost wakeup).", st.Label(tracestate.Key{Exec: e.Exec, Task: e.Task}))
	}
	return st.Explain(e)
}

// panicsNext reports whether the event after the cursor, if the history
// has it, is task k's panic.
func (m Model) panicsNext(k tracestate.Key) bool {
	pos := m.hist.Pos()
	if pos >= m.hist.Len() {
		return false
	}
	e := m.hist.Event(pos)
	return e.Kind == trace.Panicked && e.Exec == k.Exec && e.Task == k.Task
}

func (m Model) statusLine(w int) string {
	switch {
	case m.err != nil:
		msg, _, _ := strings.Cut(m.err.Error(), "\n")
		return ansi.Truncate(m.styles.Error.Render("✗ "+msg), w, "…")
	case m.status != "":
		return ansi.Truncate(m.styles.Warning.Render(m.status), w, "…")
	}
	if ansi.StringWidth(m.About) > w && w > 30 {
		// Cut, but say where the rest is.
		return m.styles.Subtle.Render(ansi.Truncate(m.About, w-16, "…") + " (? shows all)")
	}
	return ansi.Truncate(m.styles.Subtle.Render(m.About), w, "…")
}

func (m Model) helpLine(w int) string {
	m.help.ShowAll = false
	m.help.SetWidth(w)
	return ansi.Truncate(m.help.View(m.keys), w, "…")
}

// taskTable draws the task panel's rows (header included), scrolled so
// the running task stays visible. WAKER HELD BY lists everyone holding
// the task's waker now; it is the last column, kept at every width (the
// others narrow first), and a flag (stuck, panicked) takes its place:
// a flagged task holds no waker.
func (m Model) taskTable(st *tracestate.State, w, rows int) string {
	nameW := 11
	switch { // w is the panel's inner width: 2 less than the window's
	case w >= 136:
		nameW = 27
	case w >= 96:
		nameW = 19
	}
	idW, stateW, byW := 6, 12, 10
	if w < 70 {
		nameW, stateW, byW = 8, 11, 7
	}
	row := func(id, name, state, polls, wakes, by, holder string) string {
		return fmt.Sprintf("%-*s%-*s%-*s%5s %5s  %-*s", idW, trunc(id, idW-1), nameW+1, trunc(name, nameW), stateW, trunc(state, stateW-1),
			polls, wakes, byW, trunc(by, byW-1)) + holder
	}
	lines := []string{m.styles.Subtle.Render(row("TASK", "NAME", "STATE", "POLLS", "WAKES", "WOKE BY", "WAKER HELD BY"))}
	body := make([]string, 0, len(st.Tasks))
	for i := range st.Tasks {
		t := &st.Tasks[i]
		id := st.Label(t.Key)
		if st.Current == t.Key {
			id = "›" + id
		}
		var last string
		switch {
		case t.Status == tracestate.Panicked:
			last = m.styles.Error.Render(strings.TrimSuffix("✗ panicked: "+t.Note, ": "))
		case t.NoWaker && m.panicsNext(t.Key):
			last = m.styles.Error.Render(strings.TrimSuffix("✗ panicked: "+m.hist.Event(m.hist.Pos()).Note, ": "))
		case t.Stuck || (t.NoWaker && m.hist.Pos() < m.hist.Len()):
			// NoWaker with the next event known (and not its panic): stuck.
			last = m.styles.Stuck.Render("⚠ stuck: lost wakeup")
		case t.NoWaker:
			last = m.styles.Stuck.Render("⚠ handed to no one")
		case t.Status.Finished():
			last = "-"
		default:
			last = dash(strings.Join(t.Holders, ", "))
		}
		body = append(body, row(id, t.Name, t.Status.String(), strconv.Itoa(t.Polls), strconv.Itoa(t.Wakes), dash(t.LastWaker), last))
	}
	// Scroll: keep the newest tasks in view unless scrolled up.
	n := max(rows-1, 0)
	start := max(0, min(len(body)-n-m.scroll[panelTasks], len(body)))
	end := min(len(body), start+n)
	return strings.Join(append(lines, body[start:end]...), "\n")
}

// eventLog draws a window of the history around the cursor: the current
// event marked ▸ and highlighted, events not yet shown (after stepping
// back) dimmed.
func (m Model) eventLog(w, rows int) string {
	evs := m.hist.Events()
	pos := m.hist.Pos()
	ahead := min(len(evs)-pos, rows/3)
	end := pos + ahead - m.scroll[panelEvents]
	end = max(min(end, len(evs)), min(rows, len(evs)))
	start := max(0, end-rows)
	st := m.hist.State()
	lines := make([]string, 0, rows)
	for i := start; i < end; i++ {
		line := eventText(st, i+1, &evs[i])
		switch {
		case i == pos-1:
			lines = append(lines, m.styles.Current.Render(ansi.Truncate("▸ "+line, w, "…")))
		case i >= pos:
			lines = append(lines, m.styles.Subtle.Render("  "+line))
		default:
			lines = append(lines, "  "+line)
		}
	}
	if len(evs) == 0 {
		lines = append(lines, m.styles.Subtle.Render("  (no events yet)"))
	}
	return strings.Join(lines, "\n")
}

// EventText is one line of the event log for e, the n-th event (from 1),
// with st the state after it: what plain mode's `demo` prints.
func EventText(st *tracestate.State, n int, e *trace.Event) string { return eventText(st, n, e) }

// eventText is one line of the event log; n is the event's place in the
// history (from 1), the number the header counts: a runtime's sequence
// numbers can come out of order when two goroutines emit at once.
func eventText(st *tracestate.State, n int, e *trace.Event) string {
	who := ""
	if e.Task != 0 {
		who = st.Label(tracestate.Key{Exec: e.Exec, Task: e.Task})
	}
	if who == "" && st.MultiExec() {
		who = "E" + strconv.FormatUint(uint64(e.Exec), 10) // an executor-wide event of a pool
	}
	detail := ""
	switch e.Kind {
	case trace.PollEnded:
		detail = "pending"
		if e.Ready {
			detail = "ready"
		}
	case trace.Woken:
		detail = "by " + e.By.String()
		if e.From != 0 {
			detail = "by " + st.Label(tracestate.Key{Exec: e.Exec, Task: e.From})
		}
	case trace.Queued, trace.Turn:
		detail = fmt.Sprintf("queue=%d", e.Queue)
	case trace.WakerRegistered:
		detail = "→ " + e.Holder
	case trace.Spawned:
		detail = strconv.Quote(e.Name)
	case trace.SQEPrepared, trace.OpCancelled:
		detail = fmt.Sprintf("%s fd=%s", e.Op, fdText(e.FD))
	case trace.Submitted:
		detail = fmt.Sprintf("count=%d", e.Count)
	case trace.CQEReaped:
		detail = fmt.Sprintf("%s res=%d", e.Op, e.Res)
	}
	if detail == "" {
		detail = poolDetail(e) // phase 4 (view_pool.go)
	}
	if e.Note != "" {
		detail = strings.TrimSpace(detail + " (" + e.Note + ")")
	}
	return strings.TrimRight(fmt.Sprintf("#%-5d %-6s %-17s %s", n, who, e.Kind, detail), " ")
}

// spread puts left and right on one line of width w.
func spread(left, right string, w int) string {
	gap := w - lipgloss.Width(left) - lipgloss.Width(right)
	if gap < 1 {
		// Too narrow: the right side (the step, "event 5/12") matters
		// more; the left is cut first, down to a few characters.
		if room := w - lipgloss.Width(right) - 1; room >= 8 {
			return ansi.Truncate(left, room, "…") + " " + right
		}
		return ansi.Truncate(left+" "+right, w, "…")
	}
	return left + strings.Repeat(" ", gap) + right
}

// wrapLines wraps s to width w and returns exactly n lines.
func wrapLines(s string, w, n int) []string {
	lines := strings.Split(ansi.Wordwrap(s, w, ""), "\n")
	if len(lines) > n {
		lines = lines[:n]
		lines[n-1] = ansi.Truncate(lines[n-1], w-1, "") + "…"
	}
	for len(lines) < n {
		lines = append(lines, "")
	}
	return lines
}

func trunc(s string, n int) string { return ansi.Truncate(s, n, "…") }

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
