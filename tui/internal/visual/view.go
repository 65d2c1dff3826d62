package visual

import (
	"fmt"
	"strconv"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"asyncworkbook/phases/trace"
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

func (m Model) render() string {
	w, h := max(m.width, 40), max(m.height, 12)
	st := m.hist.State()
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
	// the ring panel, when shown, takes its rows first.
	room := h - len(top) - len(bottom) - 4
	ringRows := 0
	if m.hist.HasRing() && room-ringHeight(h)-2 >= 5 {
		ringRows = ringHeight(h)
		room -= ringRows + 2
	}
	queueRows := 0 // the queue panel (phase 3, view_queue.go)
	if n := m.schedRows(); n > 0 && room-n-2 >= 5 {
		queueRows = n
		room -= n + 2
	}
	taskRows := min(len(st.Tasks)+1, max(room/2, 3), room-3)
	eventRows := room - taskRows
	all := taskRows + eventRows + 2
	if ringRows > 0 {
		all += ringRows + 2
	}
	if queueRows > 0 {
		all += queueRows + 2
	}

	var mid string
	if m.picker.open {
		mid = m.panel("Breakpoints", true, m.picker.view(m.styles, all), w, all)
	} else if m.showHelp {
		m.help.ShowAll = true
		m.help.SetWidth(w - 4)
		body := m.help.View(m.keys)
		if m.About != "" {
			body = ansi.Wordwrap("What to watch for: "+m.About, w-4, "") + "\n\n" + body
		}
		mid = m.panel("Keys", false, body, w, all)
	} else {
		mid = m.panel("Tasks", m.focus == panelTasks, m.taskTable(st, w-2, taskRows), w, taskRows) + "\n"
		if ringRows > 0 {
			mid += m.panel(m.ringTitle(st), m.focus == panelRing, m.ringPanel(st, w-2, h), w, ringRows) + "\n"
		}
		if queueRows > 0 {
			mid += m.panel("Task queues", false, m.queuePanel(st, w-2, queueRows), w, queueRows) + "\n"
		}
		mid += m.panel("Events", m.focus == panelEvents, m.eventLog(w-2, eventRows), w, eventRows)
	}
	out := strings.Join(top, "\n") + "\n" + mid + "\n" + strings.Join(bottom, "\n")
	return out
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
	right += fmt.Sprintf(" · event %d/%d", m.hist.Pos(), m.hist.Len())
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
	return st.Explain(e)
}

func (m Model) statusLine(w int) string {
	switch {
	case m.err != nil:
		msg, _, _ := strings.Cut(m.err.Error(), "\n")
		return ansi.Truncate(m.styles.Error.Render("✗ "+msg), w, "…")
	case m.status != "":
		return ansi.Truncate(m.styles.Warning.Render(m.status), w, "…")
	}
	return ansi.Truncate(m.styles.Subtle.Render(m.About), w, "…")
}

func (m Model) helpLine(w int) string {
	m.help.ShowAll = false
	m.help.SetWidth(w)
	return ansi.Truncate(m.help.View(m.keys), w, "…")
}

// taskTable draws the task panel's rows (header included), scrolled so
// the running task stays visible.
func (m Model) taskTable(st *tracestate.State, w, rows int) string {
	wide := w >= 100
	row := func(id, name, state, polls, wakes, by, holder, flag string) string {
		s := fmt.Sprintf("%-6s%-12s%-13s%6s%6s  %-10s", id, trunc(name, 11), state, polls, wakes, trunc(by, 10))
		if wide {
			s += fmt.Sprintf("%-22s", trunc(holder, 21))
		}
		return s + flag
	}
	lines := []string{m.styles.Subtle.Render(row("TASK", "NAME", "STATE", "POLLS", "WAKES", "WOKE BY", "WAKER HELD BY", ""))}
	body := make([]string, 0, len(st.Tasks))
	for i := range st.Tasks {
		t := &st.Tasks[i]
		id := st.Label(t.Key)
		if st.Current == t.Key {
			id = "›" + id
		}
		flag := ""
		if t.Stuck {
			flag = m.styles.Stuck.Render("⚠ stuck: lost wakeup")
		} else if t.Status == tracestate.Panicked && t.Note != "" {
			flag = m.styles.Error.Render(t.Note)
		}
		state := t.Status.String()
		holder := t.Holder
		if t.Status.Finished() {
			holder = ""
		}
		body = append(body, row(id, t.Name, state, strconv.Itoa(t.Polls), strconv.Itoa(t.Wakes), dash(t.LastWaker), dash(holder), flag))
	}
	// Scroll: keep the newest tasks in view unless scrolled up.
	n := rows - 1
	start := max(0, len(body)-n-m.scroll[panelTasks])
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
		line := eventText(st, &evs[i])
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

// eventText is one line of the event log.
func eventText(st *tracestate.State, e *trace.Event) string {
	who := ""
	if e.Task != 0 {
		who = st.Label(tracestate.Key{Exec: e.Exec, Task: e.Task})
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
		detail = fmt.Sprintf("%s fd=%d", e.Op, e.FD)
	case trace.Submitted:
		detail = fmt.Sprintf("count=%d", e.Count)
	case trace.CQEReaped:
		detail = fmt.Sprintf("%s res=%d", e.Op, e.Res)
	}
	if e.Note != "" {
		detail = strings.TrimSpace(detail + " (" + e.Note + ")")
	}
	return fmt.Sprintf("#%-5d %-6s %-17s %s", e.Seq, who, e.Kind, detail)
}

// spread puts left and right on one line of width w.
func spread(left, right string, w int) string {
	gap := w - lipgloss.Width(left) - lipgloss.Width(right)
	if gap < 1 {
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
