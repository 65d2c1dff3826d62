package finale

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"asyncworkbook/tui/internal/theme"
)

// Model shows a run of the head-to-head as it goes: a progress bar, then
// a bar chart of round trips per second and one of server CPU per round
// trip, each case as it is measured, with the ratios against the issue's
// targets. Make it with New; Init starts the run.
type Model struct {
	machine Machine
	cases   []Case
	load    Load
	styles  theme.Theme
	keys    KeyMap

	ch      chan Progress
	cancel  context.CancelFunc
	gen     int
	last    Progress
	results []Result
	w, h    int
}

// progressMsg brings one Progress to Update; gen drops a stale run's.
type progressMsg struct {
	p   Progress
	gen int
}

// New returns a finale that measures cases with load on m.
func New(m Machine, cases []Case, load Load, styles theme.Theme) Model {
	return Model{machine: m, cases: cases, load: load, styles: styles, keys: DefaultKeyMap(), w: 80, h: 24}
}

// Init starts the run on its own goroutine and listens to it.
func (m *Model) Init() tea.Cmd {
	m.Close()
	m.gen++
	m.results, m.last = nil, Progress{Steps: len(m.cases)}
	ctx, cancel := context.WithCancel(context.Background())
	ch := make(chan Progress, 4)
	m.ch, m.cancel = ch, cancel
	// The run gets copies: the caller keeps the Model by value and
	// replaces it on every Update while the run goes on.
	machine, cases, ld := m.machine, m.cases, m.load
	go func() {
		defer close(ch)
		Run(ctx, machine, cases, ld, func(p Progress) { ch <- p })
	}()
	return m.listen()
}

func (m Model) listen() tea.Cmd {
	ch, gen := m.ch, m.gen
	return func() tea.Msg {
		p, ok := <-ch
		if !ok {
			return nil
		}
		return progressMsg{p: p, gen: gen}
	}
}

// Close stops a run in progress (its servers are killed with it).
func (m *Model) Close() {
	if m.cancel != nil {
		m.cancel()
		for range m.ch { // let the run goroutine end
		}
		m.cancel = nil
	}
}

// SetStyles changes the look.
func (m *Model) SetStyles(t theme.Theme) { m.styles = t }

// Keys returns the screen's key bindings (R is enabled once the run is
// done).
func (m Model) Keys() KeyMap {
	k := m.keys
	k.Restart.SetEnabled(m.last.Done)
	return k
}

// SetSize sets the space the view may use.
func (m *Model) SetSize(w, h int) { m.w, m.h = w, h }

// Done reports whether the run has ended.
func (m Model) Done() bool { return m.last.Done }

// Results returns the cases measured so far.
func (m Model) Results() []Result { return slices.Clone(m.results) }

// Update takes the run's progress, and R (run again) once the run is
// done. Going back (q, esc) is the caller's.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	switch msg := msg.(type) {
	case progressMsg:
		if msg.gen != m.gen {
			return m, nil
		}
		m.last = msg.p
		if msg.p.Result != nil {
			m.results = append(m.results, *msg.p.Result)
		}
		if msg.p.Done {
			m.cancel() // the run is over; release its context
			return m, nil
		}
		return m, m.listen()
	case tea.KeyPressMsg:
		if key.Matches(msg, m.keys.Restart) && m.last.Done {
			cmd := m.Init()
			return m, cmd
		}
	}
	return m, nil
}

// View draws the progress and the charts in the size set.
func (m Model) View() string {
	w, h := max(m.w, 1), max(m.h, 1)
	var lines []string
	lines = append(lines, m.styles.Title.Render(fmt.Sprintf("Finale · TCP echo head to head · %d connections × %d B", m.load.Conns, m.load.Size)))
	lines = append(lines, m.progressLine(w))
	if m.last.Err != nil {
		lines = append(lines, m.styles.Error.Render("✗ "+firstLine(m.last.Err.Error())))
	}
	lines = append(lines, "")
	lines = append(lines, m.chart("Round trips per second (more is better)", func(r Result) float64 { return r.RoundTrips }, "%.0f", w)...)
	lines = append(lines, "")
	lines = append(lines, m.chart("Server CPU per round trip, ns (less is better)", func(r Result) float64 { return r.CPUPerRT }, "%.0f ns", w)...)
	lines = append(lines, "")
	lines = append(lines, m.ratios()...)
	lines = append(lines, m.styles.Subtle.Render("The load client shares this machine's cores with the server: server CPU per round trip is the figure that means most here. One run per case (bench/run.sh takes medians)."))
	help := "q back"
	if m.last.Done {
		help = "R restart · q back"
	}
	// Wrap, cut to the window, keep the help on the last line.
	var out []string
	for _, l := range lines {
		out = append(out, strings.Split(ansi.Wordwrap(l, w, ""), "\n")...)
	}
	if len(out) > h-1 {
		out = out[:max(h-1, 0)]
	}
	out = append(out, m.styles.Subtle.Render(help))
	for i, l := range out {
		out[i] = ansi.Truncate(l, w, "…")
	}
	return strings.Join(out, "\n")
}

func firstLine(s string) string { l, _, _ := strings.Cut(s, "\n"); return l }

// progressLine is "[█████░░░░░] 2/6 · what runs now".
func (m Model) progressLine(w int) string {
	steps := max(m.last.Steps, 1)
	barW := max(min(30, w/3), 4)
	fill := barW * m.last.Step / steps
	bar := "[" + strings.Repeat("█", fill) + strings.Repeat("░", barW-fill) + "]"
	now := m.last.Now
	switch {
	case m.last.Done && m.last.Err == nil:
		now = m.styles.Good.Render("✓ done")
	case m.last.Done:
		now = "stopped"
	case now == "":
		now = "starting"
	}
	return fmt.Sprintf("%s %d/%d · %s", bar, m.last.Step, m.last.Steps, now)
}

// chart draws one bar per result measured, scaled to the largest.
func (m Model) chart(title string, val func(Result) float64, format string, w int) []string {
	out := []string{m.styles.Title.Render(title)}
	most := 0.0
	for _, r := range m.results {
		if r.Err == nil {
			most = max(most, val(r))
		}
	}
	if len(m.results) == 0 {
		return append(out, m.styles.Subtle.Render("  (nothing measured yet)"))
	}
	const labelW = 17
	barMax := max(w-labelW-14, 4)
	for _, r := range m.results {
		label := fmt.Sprintf("  N=%d %-10s", r.N, r.Label)
		if r.Err != nil {
			out = append(out, label+" "+m.styles.Error.Render("✗ "+firstLine(r.Err.Error())))
			continue
		}
		n := 1
		if most > 0 {
			n = max(1, int(float64(barMax)*val(r)/most+0.5))
		}
		bar := strings.Repeat("█", n)
		if r.Label == "pool" {
			bar = m.styles.Good.Render(bar)
		}
		out = append(out, label+" "+bar+" "+fmt.Sprintf(format, val(r)))
	}
	return out
}

// ratios compares the pool with its peers at each N, against the
// issue's targets (≥ 1.2× gnet, ≥ 1.5× goroutines in round trips).
func (m Model) ratios() []string {
	byN := map[int]map[string]Result{}
	var ns []int
	for _, r := range m.results {
		if r.Err != nil {
			continue
		}
		if byN[r.N] == nil {
			byN[r.N] = map[string]Result{}
			ns = append(ns, r.N)
		}
		byN[r.N][r.Label] = r
	}
	var out []string
	for _, n := range ns {
		p, ok := byN[n]["pool"]
		if !ok {
			continue
		}
		var parts []string
		for _, peer := range []struct {
			label  string
			target float64
		}{{"gnet", 1.2}, {"goroutines", 1.5}} {
			q, ok := byN[n][peer.label]
			if !ok {
				continue
			}
			ratio := p.RoundTrips / q.RoundTrips
			mark := "✓"
			if ratio < peer.target {
				mark = "✗"
			}
			parts = append(parts, fmt.Sprintf("%s %.2f× vs %s (target ≥ %.1f×), CPU/rt %.2f×", mark, ratio, peer.label, peer.target, p.CPUPerRT/q.CPUPerRT))
		}
		if len(parts) > 0 {
			out = append(out, fmt.Sprintf("N=%d pool: %s", n, strings.Join(parts, " · ")))
		}
	}
	return out
}
