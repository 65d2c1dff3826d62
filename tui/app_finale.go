package main

import (
	"os"

	bkey "charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"asyncworkbook/tui/internal/finale"
	"asyncworkbook/tui/internal/nav"
	"asyncworkbook/tui/internal/theme"
)

// finaleBench is what the finale screen measures with: the machine that
// builds and runs the servers, and the cases and load it runs.
type finaleBench struct {
	machine finale.Machine // nil: the finale cannot run here (why says why)
	why     string
	cases   []finale.Case
	load    finale.Load
}

// SetFinale gives the app what the finale lesson's f key runs: the
// cases on m with load. Without it (or with a nil m) f says why instead,
// in the lesson's status line.
func (a *App) SetFinale(m finale.Machine, cases []finale.Case, load finale.Load, why string) {
	a.bench = finaleBench{machine: m, why: why, cases: cases, load: load}
}

// realFinale returns the finale the workbook runs: bench/'s servers
// under root, with finale.Settings (quick with WORKBOOK_FINALE_QUICK=1).
// The caller closes the Bench (its binaries) when the app ends.
func realFinale(root string) (*finale.Bench, []finale.Case, finale.Load, string) {
	cases, load := finale.Settings(os.Getenv(finale.QuickEnv) == "1")
	dir, err := finale.FindBench(root)
	if err != nil {
		return nil, cases, load, err.Error()
	}
	return &finale.Bench{Dir: dir}, cases, load, ""
}

// openFinale puts the finale screen on top and starts the run.
func (a *App) openFinale() tea.Cmd {
	if a.top() != screenLesson {
		return nil
	}
	if a.bench.machine == nil {
		why := a.bench.why
		if why == "" {
			why = "the finale needs bench/: run the workbook from its repository"
		}
		a.lesson.Notice("Cannot run the finale: " + why)
		return nil
	}
	a.finale = finale.New(a.bench.machine, a.bench.cases, a.bench.load, theme.New(a.dark))
	a.push(screenFinale)
	a.resize()
	a.restyle()
	return a.finale.Init()
}

// updateFinale gives a key to the finale screen: q and esc go back (and
// stop the run: back closes it), the rest is the finale's.
func (a *App) updateFinale(msg tea.Msg) tea.Cmd {
	if k, ok := msg.(tea.KeyPressMsg); ok && bkey.Matches(k, a.finale.Keys().Back) {
		return nav.Cmd(nav.Back{})
	}
	var cmd tea.Cmd
	a.finale, cmd = a.finale.Update(msg)
	return cmd
}
