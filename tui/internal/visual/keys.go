package visual

import (
	"charm.land/bubbles/v2/key"
	"charm.land/lipgloss/v2"

	"asyncworkbook/tui/internal/theme"
)

// KeyMap is the visualiser's key bindings.
type KeyMap struct {
	Play, Step, Turn, Back key.Binding
	Faster, Slower         key.Binding
	Breaks, Restart, Focus key.Binding
	Up, Down, Help, Quit   key.Binding
	Exec                   key.Binding // a pool's trace: focus executor 1–9, 0 none (shown on the pool line, not in the help: it does nothing elsewhere)
	Toggle, Close          key.Binding // in the breakpoint picker
}

// DefaultKeyMap returns the visualiser's default bindings.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Play:    key.NewBinding(key.WithKeys("space"), key.WithHelp("space", "play/pause")),
		Step:    key.NewBinding(key.WithKeys("n", "right"), key.WithHelp("n/→", "step")),
		Turn:    key.NewBinding(key.WithKeys("N"), key.WithHelp("N", "loop turn")),
		Back:    key.NewBinding(key.WithKeys("left", "p"), key.WithHelp("←", "back")),
		Faster:  key.NewBinding(key.WithKeys("+", "="), key.WithHelp("+", "faster")),
		Slower:  key.NewBinding(key.WithKeys("-", "_", "−"), key.WithHelp("−", "slower")),
		Breaks:  key.NewBinding(key.WithKeys("b"), key.WithHelp("b", "breaks")),
		Restart: key.NewBinding(key.WithKeys("R"), key.WithHelp("R", "restart")),
		Focus:   key.NewBinding(key.WithKeys("tab", "shift+tab"), key.WithHelp("tab", "focus panel")),
		Up:      key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑", "scroll up")),
		Down:    key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓", "scroll down")),
		Help:    key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		Quit:    key.NewBinding(key.WithKeys("q", "esc"), key.WithHelp("q", "back")),
		Exec:    key.NewBinding(key.WithKeys("1", "2", "3", "4", "5", "6", "7", "8", "9", "0"), key.WithHelp("1–9", "focus executor")),
		Toggle:  key.NewBinding(key.WithKeys("space", "enter", "x"), key.WithHelp("space", "toggle")),
		Close:   key.NewBinding(key.WithKeys("b", "esc", "q"), key.WithHelp("b/esc", "close")),
	}
}

// ShortHelp is the one-line help.
func (k KeyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Play, k.Step, k.Turn, k.Back, k.Breaks, k.Help, k.Quit}
}

// FullHelp is the help shown with ?.
func (k KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Play, k.Step, k.Turn, k.Back},
		{k.Faster, k.Slower, k.Breaks, k.Restart},
		{k.Focus, k.Up, k.Down, k.Help, k.Quit},
	}
}

// Styles is the visualiser's look.
type Styles struct {
	theme.Theme
	Stuck   lipgloss.Style // a stuck task's flag
	Current lipgloss.Style // the current event in the log
	Phase   lipgloss.Style // the current loop phase
}

// DefaultStyles returns the visualiser's styles for a dark or light
// background.
func DefaultStyles(isDark bool) Styles {
	t := theme.New(isDark)
	return Styles{
		Theme:   t,
		Stuck:   t.Warning,
		Current: t.Selected,
		Phase:   t.Selected,
	}
}
