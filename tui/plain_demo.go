package main

import (
	"fmt"
	"io"
	"strings"

	"asyncworkbook/phases/demos"
	"asyncworkbook/phases/trace"
	"asyncworkbook/tui/internal/tracestate"
	"asyncworkbook/tui/internal/visual"
)

// plainDemo is `demo <id>`: it runs a lesson's demo and prints every
// event with the sentence the visualiser shows for it, so the
// visualiser's content is there for a screen reader or a log. Without
// an id it lists the demos.
func plainDemo(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		for _, d := range demos.All() {
			fmt.Fprintf(stdout, "%-22s %s\n", d.ID, d.Title)
		}
		return 0
	}
	if len(args) != 1 {
		fmt.Fprintln(stderr, "usage: go run ./tui demo [<id>]   (ids from `go run ./tui demo`)")
		return 2
	}
	d, ok := demos.Get(args[0])
	if !ok {
		fmt.Fprintf(stderr, "workbook: no demo %q%s; `go run ./tui demo` lists them\n", args[0], didYouMean(args[0], demoIDs()))
		return 1
	}
	fmt.Fprintf(stdout, "Demo %s · %s\n", d.ID, d.Title)
	if strings.HasPrefix(d.ID, "p2-") {
		fmt.Fprintf(stdout, "Ring: %s\n", ringInUse())
	}
	if d.About != "" {
		fmt.Fprintf(stdout, "What to watch for: %s\n", d.About)
	}
	fmt.Fprintln(stdout)
	var st tracestate.State
	n := 0
	// The demo may call the sink from several goroutines: a channel
	// brings the events to this one, which prints them in order.
	events := make(chan trace.Event, 1024)
	done := make(chan error, 1)
	go func() {
		defer close(events)
		done <- d.Run(trace.SinkFunc(func(e *trace.Event) { events <- *e }))
	}()
	for e := range events {
		n++
		st.Apply(&e)
		fmt.Fprintln(stdout, visual.EventText(&st, n, &e))
		fmt.Fprintln(stdout, "       "+st.Explain(&e))
	}
	if err := <-done; err != nil {
		fmt.Fprintf(stdout, "\nThe demo ended with an error: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "\n%d events.", n)
	if stuck := st.Stuck(); len(stuck) > 0 {
		var names []string
		for _, k := range stuck {
			names = append(names, st.Label(k))
		}
		fmt.Fprintf(stdout, " Stuck at the end (a lost wakeup): %s.", strings.Join(names, ", "))
	}
	fmt.Fprintln(stdout)
	return 0
}

func demoIDs() []string {
	var ids []string
	for _, d := range demos.All() {
		ids = append(ids, d.ID)
	}
	return ids
}
