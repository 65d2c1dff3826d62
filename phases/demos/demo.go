// Package demos holds the scenarios the workbook's visualiser runs: small
// programs on a phase's runtime, each showing one idea (a task waiting on
// a timer, two tasks ping-ponging, a panic caught by a join handle).
//
// A demo runs to completion on its own; the visualiser passes a Stepper as
// its sink to pause it between events, and tests pass a Recorder.
package demos

import (
	"fmt"
	"sort"

	"asyncworkbook/phases/trace"
)

// Demo is one runnable scenario.
type Demo struct {
	ID    string // unique, "p1-timer"
	Title string // shown above the visualiser
	// About says in a sentence or two what to watch for.
	About string
	// Run runs the scenario on a fresh runtime that reports to sink, and
	// returns when it is done. It must finish on its own (no input, no
	// network beyond loopback), release everything it started (goroutines,
	// timers), and never block forever if sink is a Stepper that is
	// detached. A nil sink runs it untraced.
	Run func(sink trace.Sink) error
}

var registry = map[string]Demo{}

// Register adds a demo; it panics on a duplicate id (a programming error
// caught by the package's tests).
func Register(d Demo) {
	if _, dup := registry[d.ID]; dup {
		panic(fmt.Sprintf("demos: duplicate demo id %q", d.ID))
	}
	registry[d.ID] = d
}

// Get returns the demo with the given id.
func Get(id string) (Demo, bool) {
	d, ok := registry[id]
	return d, ok
}

// All returns every demo, sorted by id.
func All() []Demo {
	out := make([]Demo, 0, len(registry))
	for _, d := range registry {
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}
