// Package home is the workbook's first screen: phases and their lessons,
// each marked done (✓), current (▸) or not started (·).
package home

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"asyncworkbook/phases"
	"asyncworkbook/tui/internal/nav"
	"asyncworkbook/tui/internal/progress"
	"asyncworkbook/tui/internal/theme"
)

// KeyMap is the home screen's key bindings.
type KeyMap struct {
	Up, Down, Open, Done, Help, Quit key.Binding
}

// DefaultKeyMap returns the home screen's default bindings.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Up:   key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down: key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		Open: key.NewBinding(key.WithKeys("enter", "right", "l"), key.WithHelp("enter", "open lesson")),
		Done: key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "mark done")),
		Help: key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		Quit: key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),
	}
}

// ShortHelp is the one-line help.
func (k KeyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Up, k.Down, k.Open, k.Done, k.Help, k.Quit}
}

// FullHelp is the help shown with ?.
func (k KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{{k.Up, k.Down, k.Open}, {k.Done, k.Help, k.Quit}}
}

// Styles is the home screen's look.
type Styles struct{ theme.Theme }

// DefaultStyles returns the styles for a dark or light background.
func DefaultStyles(isDark bool) Styles { return Styles{theme.New(isDark)} }

// row is one line of the list: a phase heading or a lesson.
type row struct {
	phase  *phases.Phase
	lesson *phases.Lesson
	num    int // lesson number within its phase
}

// Model is the home screen. Make it with New.
type Model struct {
	keys     KeyMap
	styles   Styles
	help     help.Model
	cat      *phases.Catalogue
	rows     []row
	cursor   int // index into rows; always a lesson row
	prog     *progress.Progress
	Notice   string // shown above the help line, e.g. a damaged progress file
	Status   string // a one-line status above the legend: the re-check at start
	width    int
	height   int
	showHelp bool
}

// New returns the home screen over cat, with the cursor on the last
// lesson the learner opened (or the first one).
func New(cat *phases.Catalogue, prog *progress.Progress) Model {
	m := Model{keys: DefaultKeyMap(), styles: DefaultStyles(true), help: help.New(), cat: cat, prog: prog, width: 80, height: 24}
	for i := range cat.Phases {
		p := &cat.Phases[i]
		m.rows = append(m.rows, row{phase: p})
		for j := range p.Lessons {
			m.rows = append(m.rows, row{phase: p, lesson: &p.Lessons[j], num: j + 1})
		}
	}
	m.cursor = -1
	for i, r := range m.rows {
		if r.lesson != nil && (m.cursor < 0 || r.lesson.ID == prog.LastLesson) {
			m.cursor = i
		}
	}
	return m
}

// SetSize sets the space the screen may draw in.
func (m *Model) SetSize(w, h int) { m.width, m.height = w, h }

// SetStyles changes the look.
func (m *Model) SetStyles(s Styles) { m.styles = s }

// Selected returns the lesson under the cursor.
func (m Model) Selected() (phases.Lesson, bool) {
	if m.cursor < 0 {
		return phases.Lesson{}, false
	}
	return *m.rows[m.cursor].lesson, true
}

// Update handles keys.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	kmsg, ok := msg.(tea.KeyPressMsg)
	if !ok || m.cursor < 0 {
		return m, nil
	}
	switch {
	case key.Matches(kmsg, m.keys.Up):
		m.move(-1)
	case key.Matches(kmsg, m.keys.Down):
		m.move(+1)
	case key.Matches(kmsg, m.keys.Open):
		return m, nav.Cmd(nav.OpenLesson{ID: m.rows[m.cursor].lesson.ID})
	case key.Matches(kmsg, m.keys.Done):
		id := m.rows[m.cursor].lesson.ID
		return m, nav.Cmd(nav.SetDone{LessonID: id, Done: !m.prog.Done[id]})
	case key.Matches(kmsg, m.keys.Help):
		m.showHelp = !m.showHelp
	case key.Matches(kmsg, m.keys.Quit):
		return m, nav.Cmd(nav.Back{})
	}
	return m, nil
}

// move moves the cursor to the next lesson row in direction d.
func (m *Model) move(d int) {
	for i := m.cursor + d; i >= 0 && i < len(m.rows); i += d {
		if m.rows[i].lesson != nil {
			m.cursor = i
			return
		}
	}
}

// Mark returns a lesson's progress glyph and word: "✓ done",
// "▸ current" or "· not started".
func Mark(prog *progress.Progress, lessonID string) (glyph, word string) {
	switch {
	case prog.Done[lessonID]:
		return "✓", "done"
	case prog.LastLesson == lessonID:
		return "▸", "current"
	}
	return "·", "not started"
}

// View draws the screen.
func (m Model) View() string {
	w, h := max(m.width, 1), max(m.height, 1)
	s := m.styles
	total, done := 0, 0
	for _, r := range m.rows {
		if r.lesson != nil {
			total++
			if m.prog.Done[r.lesson.ID] {
				done++
			}
		}
	}
	head := spread(s.Title.Render("Async runtime workbook"), s.Subtle.Render(fmt.Sprintf("%d/%d lessons done", done, total)), w)
	sub := s.Subtle.Render("Build an async runtime, one lesson at a time.")
	bar := m.exerciseBar(w)

	var lines []string
	for i, r := range m.rows {
		if r.lesson == nil {
			lines = append(lines, "", s.Title.Render(fmt.Sprintf("Phase %d · %s", r.phase.Number, r.phase.Title)))
			continue
		}
		glyph, word := Mark(m.prog, r.lesson.ID)
		ex := m.exerciseSummary(r.lesson)
		line := fmt.Sprintf("%s %2d. %s", glyph, r.num, r.lesson.Title)
		if word == "current" {
			line += s.Subtle.Render("  (current)")
		}
		line = spread(line, s.Subtle.Render(ex), w-2)
		if i == m.cursor {
			line = s.Selected.Render("›" + " " + ansi.Strip(line))
		} else {
			line = "  " + line
		}
		lines = append(lines, line)
	}
	foot := []string{}
	if m.Notice != "" {
		// Wrapped, not cut: the notice may carry a path to keep.
		wrapped := strings.Split(ansi.Wrap("⚠ "+m.Notice, w, " /"), "\n")
		for _, l := range wrapped[:min(len(wrapped), 3)] {
			foot = append(foot, s.Warning.Render(l))
		}
	}
	if m.Status != "" {
		foot = append(foot, s.Subtle.Render(m.Status))
	}
	legend := s.Subtle.Render("✓ done  ▸ current  · not started")
	foot = append(foot, legend)
	m.help.ShowAll = m.showHelp
	m.help.SetWidth(w)
	foot = append(foot, strings.Split(m.help.View(m.keys), "\n")...)

	top := []string{head, sub}
	if bar != "" {
		top = []string{head, bar, sub}
	}
	room := theme.BodyRows(h, len(top), len(foot))
	// Scroll so the cursor's line is visible (lines has 2 extra per phase).
	cur := m.lineOf(m.cursor)
	start := max(0, min(cur-room/2, len(lines)-room))
	end := min(len(lines), start+room)
	body := lines[start:end]
	for len(body) < room {
		body = append(body, "")
	}
	return theme.Frame(top, body, foot, w, h)
}

// lineOf maps a row index to its line index in View's list.
func (m Model) lineOf(rowIdx int) int {
	n := 0
	for i := 0; i < rowIdx && i < len(m.rows); i++ {
		if m.rows[i].lesson == nil {
			n += 2
		} else {
			n++
		}
	}
	if rowIdx >= 0 && rowIdx < len(m.rows) && m.rows[rowIdx].lesson == nil {
		n++
	}
	return n
}

// exerciseSummary says how many of a lesson's exercises passed.
func (m Model) exerciseSummary(l *phases.Lesson) string {
	if len(l.Exercises) == 0 {
		return ""
	}
	passed := 0
	for _, id := range l.Exercises {
		if m.prog.Passed(id) {
			passed++
		}
	}
	return fmt.Sprintf("exercises %d/%d passed", passed, len(l.Exercises))
}

func spread(left, right string, w int) string {
	gap := w - ansi.StringWidth(left) - ansi.StringWidth(right)
	if gap < 1 {
		return left + " " + right
	}
	return left + strings.Repeat(" ", gap) + right
}

// exerciseBar is the exercises' progress: "Exercises 3/12 passed
// [███░░░░░░░] · next: The run loop (phase1/03-run-loop)". The bar is
// glyphs, so it reads without colour.
func (m Model) exerciseBar(w int) string {
	all := m.cat.AllExercises()
	passed := 0
	var next string
	for _, e := range all {
		if m.prog.Passed(e.ID) {
			passed++
		} else if next == "" {
			next = e.Title + " (" + e.ID + ")"
		}
	}
	if len(all) == 0 {
		return ""
	}
	cells := min(max(w/5, 8), 24)
	full := passed * cells / len(all)
	s := fmt.Sprintf("Exercises %d/%d passed [%s%s]", passed, len(all), strings.Repeat("█", full), strings.Repeat("░", cells-full))
	if next != "" {
		s += " · next: " + next
	} else {
		s += " · all passed"
	}
	return s
}
