package visual

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"asyncworkbook/tui/internal/tracestate"
)

// The queue panel (phase 3): one line per task queue — the picked one
// marked ▶ — with its shares, latency class, ready tasks, vruntime as a
// bar (relative to the least), and its vruntime over the last selections
// as a small line chart; above them, the last decision and why, and the
// executor parked (with how long the park may last) or awake, the last
// wake from outside, the last stall. Shown only when the run has
// phase-3 events. Readable without colour.

// sparks are the line chart's levels, lowest first.
var sparks = []rune("▁▂▃▄▅▆▇█")

// schedRows is the queue panel's inner height, from the latest state so
// that stepping back does not change the layout: two lines, one per queue.
func (m Model) schedRows() int {
	if !m.hist.head.HasSched() {
		return 0
	}
	n := 2 + max(len(m.hist.head.Sched.Names), 1)
	if m.hist.head.Sched.Wake != "" {
		n++ // the line that draws the last wake from outside
	}
	return n
}

// queuePanel renders the panel's body in rows lines of width w.
func (m Model) queuePanel(st *tracestate.State, w, rows int) string {
	c := &st.Sched
	var lines []string
	if c.Picked != "" {
		lines = append(lines, "▶ "+c.Picked+" picked: "+c.Why)
	} else {
		lines = append(lines, "no queue picked yet")
	}
	exec := "executor awake"
	if c.Parked {
		exec = "executor parked until woken"
		if c.ParkFor > 0 {
			exec = "executor parked ≤ " + time.Duration(c.ParkFor).String() + " (next timer)"
		}
	}
	if c.Stall != "" {
		exec += " · ⚠ stall " + c.Stall
	}
	lines = append(lines, exec)
	if c.Wake != "" {
		// Drawn, not just said: the one wake that crosses from another
		// goroutine into the parked executor, through its eventfd.
		lines = append(lines, "  "+c.Wake+" ══ eventfd write ══▶ parked executor")
	}

	least, most := ^uint64(0), uint64(0)
	for _, q := range c.Queues {
		least, most = min(least, q.Vruntime), max(most, q.Vruntime)
	}
	nameW := 6
	for _, q := range c.Queues {
		nameW = max(nameW, min(len(q.Name), 12))
	}
	const barW = 10
	chartW := max(w-(2+nameW+1+7+10+9+barW+2+1), 0)
	for _, q := range c.Queues {
		mark := "  "
		if q.Name == c.Picked {
			mark = "▶ "
		}
		lat := "·"
		if q.Latency > 0 {
			lat = "≤" + time.Duration(q.Latency).String()
		}
		filled := 0
		if most > least {
			filled = int((q.Vruntime - least) * barW / (most - least))
		}
		bar := strings.Repeat("█", filled) + strings.Repeat("░", barW-filled)
		line := fmt.Sprintf("%s%-*s %6s %-9s r%-3d %s %s",
			mark, nameW, queueName(q.Name, nameW), fmt.Sprintf("sh%d", q.Shares), lat, q.Ready,
			bar, spark(c, q.Name, chartW))
		lines = append(lines, line)
	}
	if len(lines) > rows {
		lines = lines[:rows]
	}
	for i := range lines {
		lines[i] = ansi.Truncate(lines[i], w, "…")
	}
	return strings.Join(lines, "\n")
}

// spark draws name's vruntime over the last selections, scaled to the
// least and largest value of every queue in the window.
func spark(c *tracestate.Sched, name string, w int) string {
	row := c.Chart[name]
	if w <= 0 || len(row) == 0 {
		return ""
	}
	if len(row) > w {
		row = row[len(row)-w:]
	}
	lo, hi := ^uint64(0), uint64(0)
	for _, r := range c.Chart {
		if len(r) > w {
			r = r[len(r)-w:]
		}
		for _, v := range r {
			lo, hi = min(lo, v), max(hi, v)
		}
	}
	var b strings.Builder
	for _, v := range row {
		i := 0
		if hi > lo {
			i = int((v - lo) * uint64(len(sparks)-1) / (hi - lo))
		}
		b.WriteRune(sparks[i])
	}
	return b.String()
}

func queueName(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n-1] + "…"
}
