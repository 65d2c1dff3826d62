// Package theme holds the colours and base styles the workbook's screens
// share. Colour is only ever a second channel: every state also has a
// glyph and a word, so the UI reads the same with NO_COLOR set (the
// program's renderer then drops colours; see NoColor).
package theme

import (
	"image/color"
	"os"

	"charm.land/lipgloss/v2"
)

// NoColor reports whether the NO_COLOR convention asks for no colour.
func NoColor() bool { return os.Getenv("NO_COLOR") != "" }

// Theme is a palette and the base styles built from it.
// The zero value has no styling at all (every style renders plain).
type Theme struct {
	IsDark bool

	Accent, Muted, OK, Warn, Bad, Border, FocusBorder color.Color

	Title     lipgloss.Style // screen titles
	Subtle    lipgloss.Style // secondary text
	Selected  lipgloss.Style // the selected row / current step
	Good      lipgloss.Style // done, passed
	Warning   lipgloss.Style // stuck, dropped
	Error     lipgloss.Style // failed, panicked
	Panel     lipgloss.Style // a bordered panel
	Focused   lipgloss.Style // a bordered panel with focus
	HelpKey   lipgloss.Style
	HelpDesc  lipgloss.Style
	StatusBar lipgloss.Style
}

// New returns the theme for a dark or light terminal background.
func New(isDark bool) Theme {
	ld := lipgloss.LightDark(isDark)
	t := Theme{
		IsDark:      isDark,
		Accent:      ld(lipgloss.Color("#5A4FCF"), lipgloss.Color("#A99BFF")),
		Muted:       ld(lipgloss.Color("#6B6B6B"), lipgloss.Color("#8A8A8A")),
		OK:          ld(lipgloss.Color("#1B7F3B"), lipgloss.Color("#5FD787")),
		Warn:        ld(lipgloss.Color("#A35A00"), lipgloss.Color("#FFAF5F")),
		Bad:         ld(lipgloss.Color("#B3261E"), lipgloss.Color("#FF6B6B")),
		Border:      ld(lipgloss.Color("#B0B0B0"), lipgloss.Color("#4E4E4E")),
		FocusBorder: ld(lipgloss.Color("#5A4FCF"), lipgloss.Color("#A99BFF")),
	}
	t.Title = lipgloss.NewStyle().Bold(true).Foreground(t.Accent)
	t.Subtle = lipgloss.NewStyle().Foreground(t.Muted)
	// Reverse video marks the selection even without colour.
	t.Selected = lipgloss.NewStyle().Reverse(true).Bold(true)
	t.Good = lipgloss.NewStyle().Foreground(t.OK)
	t.Warning = lipgloss.NewStyle().Foreground(t.Warn).Bold(true)
	t.Error = lipgloss.NewStyle().Foreground(t.Bad).Bold(true)
	t.Panel = lipgloss.NewStyle().Border(lipgloss.RoundedBorder()).BorderForeground(t.Border)
	t.Focused = lipgloss.NewStyle().Border(lipgloss.ThickBorder()).BorderForeground(t.FocusBorder)
	t.HelpKey = lipgloss.NewStyle().Foreground(t.Accent)
	t.HelpDesc = lipgloss.NewStyle().Foreground(t.Muted)
	t.StatusBar = lipgloss.NewStyle().Foreground(t.Muted)
	return t
}
