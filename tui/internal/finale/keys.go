package finale

import "charm.land/bubbles/v2/key"

// KeyMap is the finale screen's key bindings. R means what it means in
// the visualiser (restart what this screen runs); q and esc go back.
type KeyMap struct {
	Restart, Back key.Binding
}

// DefaultKeyMap returns the finale's bindings.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Restart: key.NewBinding(key.WithKeys("R"), key.WithHelp("R", "restart")),
		Back:    key.NewBinding(key.WithKeys("q", "esc"), key.WithHelp("q", "back")),
	}
}
