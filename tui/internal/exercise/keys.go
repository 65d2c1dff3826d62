package exercise

import (
	"charm.land/bubbles/v2/key"
	"charm.land/lipgloss/v2"

	"asyncworkbook/tui/internal/theme"
)

// KeyMap is the exercise view's key bindings.
type KeyMap struct {
	Check, Watch, Hint, Reset, Solution, RunMine key.Binding
	NextTest, PrevTest, Expand, Next             key.Binding
	Top, Bottom                                  key.Binding
	Yes, No, Help, Back                          key.Binding
}

// DefaultKeyMap returns the exercise view's default bindings.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Check:    key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "check")),
		Watch:    key.NewBinding(key.WithKeys("w"), key.WithHelp("w", "watch")),
		Hint:     key.NewBinding(key.WithKeys("h"), key.WithHelp("h", "next hint")),
		Reset:    key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "reset")),
		Solution: key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "solution")),
		RunMine:  key.NewBinding(key.WithKeys("m"), key.WithHelp("m", "run mine")),
		NextTest: key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next test")),
		PrevTest: key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "previous test")),
		Expand:   key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "expand test")),
		Next:     key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "next exercise"), key.WithDisabled()),
		Top:      key.NewBinding(key.WithKeys("home", "g"), key.WithHelp("g/home", "top")),
		Bottom:   key.NewBinding(key.WithKeys("end", "G"), key.WithHelp("G/end", "bottom")),
		Yes:      key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "yes")),
		No:       key.NewBinding(key.WithKeys("n", "esc", "q"), key.WithHelp("n", "no")),
		Help:     key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		Back:     key.NewBinding(key.WithKeys("q", "esc"), key.WithHelp("q", "back")),
	}
}

// ShortHelp is the one-line help.
func (k KeyMap) ShortHelp() []key.Binding {
	// The keys a narrow footer must not lose (? and q) come before reset.
	return []key.Binding{k.Next, k.Check, k.Watch, k.Hint, k.RunMine, k.Solution, k.Help, k.Back, k.Reset}
}

// FullHelp is the help shown with ?.
func (k KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{{k.Next, k.Check, k.Watch, k.Hint}, {k.NextTest, k.PrevTest, k.Expand}, {k.RunMine, k.Solution, k.Reset}, {k.Top, k.Bottom, k.Help, k.Back}}
}

// Styles is the exercise view's look.
type Styles struct {
	theme.Theme
	Pass, Fail, Skip lipgloss.Style
}

// DefaultStyles returns the styles for a dark or light background.
func DefaultStyles(isDark bool) Styles {
	t := theme.New(isDark)
	return Styles{Theme: t, Pass: t.Good, Fail: t.Error, Skip: t.Subtle}
}
