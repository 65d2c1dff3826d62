// Package lesson is the lesson view: the lesson's markdown rendered for
// the terminal, scrollable, with keys to watch its demo, open its
// exercises and mark it done.
package lesson

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"
	"charm.land/glamour/v2"
	"charm.land/glamour/v2/ansi"
	"charm.land/glamour/v2/styles"
	xansi "github.com/charmbracelet/x/ansi"

	"asyncworkbook/phases"
	"asyncworkbook/tui/internal/nav"
	"asyncworkbook/tui/internal/progress"
	"asyncworkbook/tui/internal/theme"
)

// KeyMap is the lesson view's key bindings. Scrolling keys are the
// viewport's own (↑/↓, pgup/pgdn, space).
type KeyMap struct {
	Demo, Exercise, Finale, Done, Top, Bottom, Help, Back key.Binding
}

// DefaultKeyMap returns the lesson view's default bindings.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Demo:     key.NewBinding(key.WithKeys("v"), key.WithHelp("v", "visualise demo")),
		Exercise: key.NewBinding(key.WithKeys("e", "1", "2", "3", "4", "5", "6", "7", "8", "9"), key.WithHelp("e/1-9", "exercise")),
		Finale:   key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "run the finale")),
		Done:     key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "mark done")),
		Top:      key.NewBinding(key.WithKeys("home", "g"), key.WithHelp("g/home", "top")),
		Bottom:   key.NewBinding(key.WithKeys("end", "G"), key.WithHelp("G/end", "bottom")),
		Help:     key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		Back:     key.NewBinding(key.WithKeys("q", "esc"), key.WithHelp("q", "back")),
	}
}

// ShortHelp is the one-line help.
func (k KeyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Demo, k.Exercise, k.Finale, k.Done, k.Help, k.Back}
}

// FullHelp is the help shown with ?.
func (k KeyMap) FullHelp() [][]key.Binding {
	vp := theme.ScrollKeys()
	return [][]key.Binding{{k.Demo, k.Exercise, k.Finale, k.Done}, {vp.Up, vp.Down, vp.PageUp, vp.PageDown}, {k.Top, k.Bottom, k.Help, k.Back}}
}

// Styles is the lesson view's look.
type Styles struct{ theme.Theme }

// DefaultStyles returns the styles for a dark or light background.
func DefaultStyles(isDark bool) Styles { return Styles{theme.New(isDark)} }

// Model is the lesson view. Make it with New.
type Model struct {
	keys     KeyMap
	styles   Styles
	help     help.Model
	Lesson   phases.Lesson
	phase    phases.Phase
	index    int // lesson number within the phase, from 1
	exercise []phases.Exercise
	prog     *progress.Progress
	markdown string
	vp       viewport.Model
	render   *renderCache
	width    int
	height   int
	showHelp bool
	notice   string
}

// renderCache keeps the glamour rendering: rendering is slow (a few ms),
// and is redone only when the width or the style changes.
type renderCache struct {
	width  int
	dark   bool
	plain  bool
	output string
	count  int // renders done, for tests
}

// New returns the lesson view for lesson l.
func New(cat *phases.Catalogue, l phases.Lesson, prog *progress.Progress) Model {
	m := Model{
		keys: DefaultKeyMap(), styles: DefaultStyles(true), help: help.New(),
		Lesson: l, prog: prog, render: &renderCache{},
		vp: viewport.New(), width: 80, height: 24,
	}
	m.vp.KeyMap = theme.ScrollKeys()
	m.phase, _ = cat.PhaseOf(l.ID)
	for i, pl := range m.phase.Lessons {
		if pl.ID == l.ID {
			m.index = i + 1
		}
	}
	for _, id := range l.Exercises {
		if e, ok := cat.Exercise(id); ok {
			m.exercise = append(m.exercise, e)
		}
	}
	// The footer shows only keys that do something in this lesson.
	m.keys.Demo.SetEnabled(l.Demo != "")
	m.keys.Exercise.SetEnabled(len(m.exercise) > 0)
	m.keys.Finale.SetEnabled(l.Finale)
	if n := len(m.exercise); n == 1 {
		m.keys.Exercise.SetHelp("e/1", "exercise")
	} else if n > 1 {
		m.keys.Exercise.SetHelp(fmt.Sprintf("e/1-%d", min(n, 9)), "exercise")
	}
	text, err := phases.LessonText(l)
	if err != nil {
		text = "# " + l.Title + "\n\n*This lesson's text is missing:* " + err.Error()
	}
	m.markdown = text
	m.layout()
	return m
}

// Notice shows a one-line message in the status line.
func (m *Model) Notice(s string) { m.notice = s }

// SetSize sets the space the view may draw in, re-wrapping the text.
func (m *Model) SetSize(w, h int) { m.width, m.height = w, h; m.layout() }

// SetStyles changes the look (and the markdown style).
func (m *Model) SetStyles(s Styles) { m.styles = s; m.layout() }

// footerLines is how many lines the view draws below the text.
func (m Model) footerLines() int {
	n := 2 // status and help
	if len(m.exercise) > 0 {
		n++
	}
	if m.showHelp {
		n += 4
	}
	return n
}

func (m *Model) layout() {
	w := max(m.width, 1)
	m.vp.SetWidth(w)
	m.vp.SetHeight(theme.BodyRows(m.height, 2, m.footerLines()))
	plain := theme.NoColor()
	c := m.render
	if c.output == "" || c.width != w || c.dark != m.styles.IsDark || c.plain != plain {
		c.width, c.dark, c.plain = w, m.styles.IsDark, plain
		c.output = Render(m.markdown, w, m.styles.IsDark, plain)
		c.count++
		off := m.vp.YOffset()
		m.vp.SetContent(c.output)
		m.vp.SetYOffset(off)
	}
}

// Render renders markdown for a terminal of the given width: glamour's
// dark or light style, or its ASCII style when colour is off. On a
// rendering error it returns the markdown itself.
func Render(markdown string, width int, dark, plain bool) string {
	style := styles.DarkStyleConfig
	switch {
	case plain:
		style = styles.ASCIIStyleConfig
	case !dark:
		style = styles.LightStyleConfig
	}
	if !plain {
		// With colour a heading is bold and coloured: the "## " glamour
		// writes before it is markdown showing through. Code blocks lose
		// their extra margin, so fewer code lines wrap at 80 columns.
		// (The ASCII style keeps both: there they are the only marks.)
		for _, h := range []*ansi.StyleBlock{&style.H2, &style.H3, &style.H4, &style.H5, &style.H6} {
			h.Prefix = ""
		}
		zero := uint(0)
		style.CodeBlock.Margin = &zero
	}
	r, err := glamour.NewTermRenderer(glamour.WithStyles(style), glamour.WithWordWrap(max(width-4, 20)))
	if err != nil {
		return markdown
	}
	// Code blocks are rendered apart, never wrapped (codeblock.go).
	prose, blocks := splitCode(markdown)
	out, err := r.Render(prose)
	if err != nil {
		return markdown
	}
	if len(blocks) > 0 {
		wide, err := glamour.NewTermRenderer(glamour.WithStyles(style), glamour.WithWordWrap(codeWrap))
		if err != nil {
			return markdown
		}
		rendered, err := renderBlocks(wide, blocks)
		if err != nil {
			return markdown
		}
		margin := 0
		if m := style.Document.Margin; m != nil {
			margin = int(*m)
		}
		out = putBack(out, rendered, margin, max(width, 1))
	}
	return strings.TrimRight(out, "\n")
}

// codeWrap is the wrap limit code blocks are rendered with: longer than
// any line of code, so none wraps.
const codeWrap = 1000

// Update handles keys; the ones it does not know scroll the text.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		m.notice = ""
		switch {
		case key.Matches(k, m.keys.Demo):
			if m.Lesson.Demo == "" {
				return m, nil
			}
			return m, nav.Cmd(nav.OpenDemo{DemoID: m.Lesson.Demo})
		case key.Matches(k, m.keys.Exercise):
			if e, ok := m.pickExercise(k.String()); ok {
				return m, nav.Cmd(nav.OpenExercise{ID: e.ID})
			}
			return m, nil
		case key.Matches(k, m.keys.Finale):
			if !m.Lesson.Finale {
				return m, nil
			}
			return m, nav.Cmd(nav.OpenFinale{})
		case key.Matches(k, m.keys.Done):
			return m, nav.Cmd(nav.SetDone{LessonID: m.Lesson.ID, Done: !m.prog.Done[m.Lesson.ID]})
		case key.Matches(k, m.keys.Top):
			m.vp.GotoTop()
			return m, nil
		case key.Matches(k, m.keys.Bottom):
			m.vp.GotoBottom()
			return m, nil
		case key.Matches(k, m.keys.Help):
			m.showHelp = !m.showHelp
			m.layout()
			return m, nil
		case key.Matches(k, m.keys.Back):
			return m, nav.Cmd(nav.Back{})
		}
	}
	var cmd tea.Cmd
	m.vp, cmd = m.vp.Update(msg)
	return m, cmd
}

// pickExercise chooses the exercise for key k: "1".."9" by number, "e"
// the first one not passed yet.
func (m Model) pickExercise(k string) (phases.Exercise, bool) {
	if len(m.exercise) == 0 {
		return phases.Exercise{}, false
	}
	if k >= "1" && k <= "9" {
		i := int(k[0] - '1')
		if i < len(m.exercise) {
			return m.exercise[i], true
		}
		return phases.Exercise{}, false
	}
	for _, e := range m.exercise {
		if !m.prog.Passed(e.ID) {
			return e, true
		}
	}
	return m.exercise[0], true
}

// View draws the lesson.
func (m Model) View() string {
	w := max(m.width, 1)
	s := m.styles
	title := fmt.Sprintf("Phase %d · Lesson %d/%d · %s", m.phase.Number, m.index, len(m.phase.Lessons), m.Lesson.Title)
	state := "· not started"
	if m.prog.Done[m.Lesson.ID] {
		state = "✓ done"
	}
	head := []string{spread(s.Title.Render(title), state, w), s.Subtle.Render(strings.Repeat("─", w))}
	var lines []string
	if len(m.exercise) > 0 {
		var parts []string
		for i, e := range m.exercise {
			mark := "·"
			if m.prog.Passed(e.ID) {
				mark = "✓"
			}
			parts = append(parts, fmt.Sprintf("%d) %s %s", i+1, mark, e.Title))
		}
		lines = append(lines, "Exercises: "+strings.Join(parts, "  "))
	}
	status := fmt.Sprintf("%3.0f%%", m.vp.ScrollPercent()*100)
	if m.Lesson.Demo != "" {
		status += " · demo: " + m.Lesson.Demo + " (v)"
	}
	if m.Lesson.Finale {
		status += " · the benchmark, live (f)"
	}
	if m.notice != "" {
		status = s.Warning.Render(m.notice)
	}
	lines = append(lines, s.Subtle.Render(status))
	m.help.ShowAll = m.showHelp
	m.help.SetWidth(w)
	lines = append(lines, m.help.View(m.keys))
	return theme.Frame(head, []string{m.vp.View()}, lines, w, max(m.height, 1))
}

func spread(left, right string, w int) string {
	gap := w - xansi.StringWidth(left) - xansi.StringWidth(right)
	if gap < 1 {
		return left + " " + right
	}
	return left + strings.Repeat(" ", gap) + right
}
