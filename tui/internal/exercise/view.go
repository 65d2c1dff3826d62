package exercise

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"asyncworkbook/phases/check"
	"asyncworkbook/tui/internal/lesson"
	"asyncworkbook/tui/internal/theme"
)

// contentCache keeps the rendered markdown (statement, hints, solution):
// glamour is slow, so it reruns only when one of them, the width or the
// style changes.
type contentCache struct {
	key string
	md  string
}

// layout sizes the viewport and refills it.
func (m *Model) layout() {
	w := max(m.width, 1)
	foot := 2 // the status line and the keys
	if m.showHelp {
		foot += 2 // full help has three lines
	}
	m.vp.SetWidth(w)
	m.vp.SetHeight(theme.BodyRows(m.height, 2, foot))

	hints := m.prog.Exercise(m.Ex.ID).HintsShown
	var md strings.Builder
	md.WriteString(m.readme.Body)
	if m.loadErr != nil {
		md.WriteString("\n\n*The statement could not be read:* " + m.loadErr.Error())
	}
	for i := range min(hints, len(m.readme.Hints)) {
		fmt.Fprintf(&md, "\n\n## Hint %d of %d\n\n%s", i+1, len(m.readme.Hints), m.readme.Hints[i])
	}
	if m.showSolution {
		md.WriteString("\n\n## Solution\n\n" + m.solution)
	}
	key := fmt.Sprintf("%d|%v|%v|%s", w, m.styles.IsDark, theme.NoColor(), md.String())
	if m.content.key != key {
		m.content.key = key
		m.content.md = lesson.Render(md.String(), w, m.styles.IsDark, theme.NoColor())
	}
	off := m.vp.YOffset()
	res := m.results(w)
	m.selLine = strings.Count(m.content.md, "\n") + 2
	if before, _, ok := strings.Cut(res, "\n▸ "); ok {
		m.selLine += strings.Count(before, "\n") + 1
	}
	m.vp.SetContent(m.content.md + "\n\n" + res)
	m.vp.SetYOffset(off)
}

// results renders the last check: one line per test with a glyph and a
// word, then the first failure's message.
func (m Model) results(w int) string {
	s := m.styles
	var b strings.Builder
	b.WriteString(s.Title.Render("Check") + "\n")
	switch {
	case m.checking:
		b.WriteString("Running the tests… (go test in a subprocess, with a time limit)\n")
		return b.String()
	case m.checkErr != nil && m.report == nil:
		b.WriteString(s.Fail.Render("✗ could not run the tests: ") + m.checkErr.Error() + "\n")
		return b.String()
	case m.report == nil:
		b.WriteString(s.Subtle.Render("Not checked yet: press c to run the tests, w to re-run them on every save.") + "\n")
		return b.String()
	}
	r := m.report
	summary := r.Summary()
	if _, rest, ok := strings.Cut(summary, ": "); ok {
		summary = rest // the status is already the glyph and word
	}
	b.WriteString(statusLine(s, r.Status) + " — " + summary + "\n")
	sel := m.selectedTest()
	for i, t := range r.Tests {
		mark := "  "
		if i == sel {
			mark = "▸ "
		}
		b.WriteString(mark + testLine(s, t) + "\n")
		if t.Status != check.Failed && t.Status != check.NotStarted {
			continue
		}
		lines := wrapText(failureText(t.Output), w-6)
		if len(lines) > collapsedLines && !m.expanded[i] {
			more := len(lines) - collapsedLines
			lines = append(lines[:collapsedLines:collapsedLines], s.Subtle.Render(fmt.Sprintf("… %d more lines (tab to this test, enter shows all)", more)))
		}
		for _, l := range lines {
			b.WriteString("      " + l + "\n")
		}
	}
	if r.Status == check.BuildFailed || (len(r.Tests) == 0 && r.Output != "") {
		for _, l := range wrapText(r.Failure(), w-4) {
			b.WriteString("    " + l + "\n")
		}
	}
	if r.Status == check.Passed && !m.showSolution {
		b.WriteString("\n" + s.Pass.Render("Well done.") + " Press s to compare with the workbook's solution.\n")
		if m.next.ID != "" {
			b.WriteString("Press n for the next exercise: " + m.next.Title + ".\n")
		} else {
			b.WriteString("That was the last exercise of the workbook.\n")
		}
	}
	return b.String()
}

// Glyph returns a glyph and word for a status, readable without colour.
func Glyph(st check.Status) string {
	switch st {
	case check.Passed:
		return "✓ passed"
	case check.Failed:
		return "✗ failed"
	case check.Skipped:
		return "- skipped"
	case check.NotStarted:
		return "· not started"
	case check.BuildFailed:
		return "✗ build failed"
	case check.TimedOut:
		return "⧖ timed out"
	}
	return "? " + st.String()
}

func statusLine(s Styles, st check.Status) string {
	switch st {
	case check.Passed:
		return s.Pass.Render(Glyph(st))
	case check.Skipped, check.NotStarted:
		return s.Skip.Render(Glyph(st))
	}
	return s.Fail.Render(Glyph(st))
}

func testLine(s Styles, t check.TestResult) string {
	st := statusLine(s, t.Status)
	return st + strings.Repeat(" ", max(16-ansi.StringWidth(st), 0)) + " " + t.Name
}

// View draws the exercise.
func (m Model) View() string {
	w := max(m.width, 1)
	s := m.styles
	status := "· not checked"
	if r := m.prog.Exercise(m.Ex.ID); r.Status != "" {
		status = r.Status
		if st := statusOf(r.Status); st != check.StatusUnknown {
			status = Glyph(st)
		}
	}
	if m.checking {
		status = m.spin.View() + " checking"
	}
	if m.watch != nil {
		status = "◉ watching · " + status
	}
	head := spread(s.Title.Render("Exercise "+m.Ex.ID+" · "+m.readme.Title), status, w)
	top := []string{head, s.Subtle.Render(strings.Repeat("─", w))}
	var lines []string

	var line string
	switch m.asking {
	case confirmReset:
		line = s.Warning.Render("Reset to the skeleton? Your changes will be lost. (y/n)")
	case confirmSolution:
		line = s.Warning.Render("You have not passed yet. Show the solution anyway? (y/n)")
	default:
		hints := m.prog.Exercise(m.Ex.ID).HintsShown
		line = s.Subtle.Render(fmt.Sprintf("hints %d/%d · %3.0f%%", hints, len(m.readme.Hints), m.vp.ScrollPercent()*100))
		if m.notice != "" {
			line = s.Warning.Render(m.notice)
		}
	}
	lines = append(lines, line)
	m.help.ShowAll = m.showHelp
	m.help.SetWidth(w)
	lines = append(lines, m.help.View(m.keys))
	return theme.Frame(top, []string{m.vp.View()}, lines, w, max(m.height, 1))
}

// GlyphWord is Glyph for a status recorded as its word ("passed"); an
// unknown word comes back as it is.
func GlyphWord(word string) string {
	if st := statusOf(word); st != check.StatusUnknown {
		return Glyph(st)
	}
	return word
}

// statusOf maps a status's word back to the status.
func statusOf(word string) check.Status {
	for st := check.Passed; st <= check.TimedOut; st++ {
		if st.String() == word {
			return st
		}
	}
	return check.StatusUnknown
}

func spread(left, right string, w int) string {
	gap := w - ansi.StringWidth(left) - ansi.StringWidth(right)
	if gap < 1 {
		return left + " " + right
	}
	return left + strings.Repeat(" ", gap) + right
}
