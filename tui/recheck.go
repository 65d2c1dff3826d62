package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"asyncworkbook/tui/internal/exercise"
)

// recheckDoneMsg carries the statuses found by re-checking, at start,
// the exercises the progress file has a status for.
type recheckDoneMsg struct {
	status map[string]string // id → status word ("passed", "failed", ...)
	err    error
}

// startRecheck re-runs, in the background, the checks of every exercise
// the progress file records a status for: a status can go stale (a
// skeleton restored with git, a file edited in another editor). Fresh
// progress (nothing checked yet) costs nothing.
func (a *App) startRecheck() tea.Cmd {
	var ids []string
	for _, e := range a.cat.AllExercises() {
		if a.prog.Exercise(e.ID).Status != "" {
			ids = append(ids, e.ID)
		}
	}
	if len(ids) == 0 || a.grader == nil {
		return nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	a.recheckStop = cancel
	a.setHomeStatus(fmt.Sprintf("⟳ re-checking %d exercise%s in the background…", len(ids), plural(len(ids))))
	g := a.grader
	return func() tea.Msg {
		out := map[string]string{}
		for _, id := range ids {
			rep, err := g.Check(ctx, id)
			if ctx.Err() != nil {
				return recheckDoneMsg{err: ctx.Err()}
			}
			if err != nil && len(rep.Tests) == 0 {
				continue
			}
			out[id] = rep.Status.String()
		}
		return recheckDoneMsg{status: out}
	}
}

// onRechecked records what the re-check found and says what changed.
func (a *App) onRechecked(msg recheckDoneMsg) tea.Cmd {
	a.recheckStop = nil
	if msg.err != nil {
		a.setHomeStatus("")
		return nil
	}
	var changed []string
	for id, st := range msg.status {
		r := a.prog.Exercise(id)
		if r.Status != st {
			changed = append(changed, fmt.Sprintf("%s: %s (was %s)", id, exercise.GlyphWord(st), r.Status))
		}
		r.Status, r.Checked = st, time.Now()
		a.prog.SetExercise(id, r)
	}
	if len(changed) == 0 {
		a.setHomeStatus(fmt.Sprintf("✓ re-checked %d exercise%s: as recorded", len(msg.status), plural(len(msg.status))))
	} else {
		a.setHomeStatus("Re-checked: " + strings.Join(changed, "; "))
	}
	return a.save()
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// setHomeStatus sets the home screen's status line, kept across the home
// screens the app makes.
func (a *App) setHomeStatus(s string) {
	a.homeStatus = s
	a.home.Status = s
}
