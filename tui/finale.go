package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"asyncworkbook/tui/internal/finale"
	"asyncworkbook/tui/internal/theme"
)

// benchCmd is `go run ./tui bench`: phase 4's finale, the head-to-head
// TCP echo, live in a terminal (a progress bar, then bar charts), or as
// progress lines and a table without one.
func benchCmd(args []string, stdout, stderr io.Writer, e *env) int {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	nsFlag := fs.String("n", "1 2", "executors (loops, GOMAXPROCS) to compare at, space-separated")
	conns := fs.Int("conns", 64, "connections of the load client")
	size := fs.Int("size", 64, "message size in bytes")
	warm := fs.Duration("warmup", time.Second, "warm-up before each measurement")
	dur := fs.Duration("d", 3*time.Second, "how long each measurement lasts")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	var ns []int
	for _, f := range strings.Fields(*nsFlag) {
		n, err := strconv.Atoi(f)
		if err != nil || n < 1 {
			fmt.Fprintf(stderr, "workbook: bench -n %q: want positive numbers\n", *nsFlag)
			return 2
		}
		ns = append(ns, n)
	}
	dir, err := finale.FindBench(e.root)
	if err != nil {
		fmt.Fprintln(stderr, "workbook:", err)
		return 1
	}
	b := &finale.Bench{Dir: dir}
	defer b.Close()
	load := finale.Load{Conns: *conns, Size: *size, Warmup: *warm, Duration: *dur}
	cases := finale.Cases(ns...)
	if interactive() {
		m := &finaleApp{m: finale.New(b, cases, load, theme.New(true))}
		_, err := tea.NewProgram(m).Run()
		m.m.Close()
		if err != nil {
			fmt.Fprintln(stderr, "workbook:", err)
			return 1
		}
		return 0
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	failed := false
	res := finale.Run(ctx, b, cases, load, func(p finale.Progress) {
		switch {
		case p.Err != nil:
			fmt.Fprintln(stderr, "workbook:", p.Err)
			failed = true
		case p.Result != nil && p.Result.Err != nil:
			fmt.Fprintf(stdout, "[%d/%d] %s N=%d: %v\n", p.Step, p.Steps, p.Result.Label, p.Result.N, p.Result.Err)
		case p.Result != nil:
			fmt.Fprintf(stdout, "[%d/%d] %s N=%d: %.0f round trips/s, %.0f ns server CPU per round trip\n", p.Step, p.Steps, p.Result.Label, p.Result.N, p.Result.RoundTrips, p.Result.CPUPerRT)
		case !p.Done:
			fmt.Fprintf(stdout, "[%d/%d] %s\n", p.Step, p.Steps, p.Now)
		}
	})
	fmt.Fprintf(stdout, "\n| N | server | round trips/s | server CPU ns/round trip |\n|---|---|---|---|\n")
	for _, r := range res {
		if r.Err == nil {
			fmt.Fprintf(stdout, "| %d | %s | %.0f | %.0f |\n", r.N, r.Label, r.RoundTrips, r.CPUPerRT)
		}
	}
	if failed {
		return 1
	}
	return 0
}

// finaleApp is the finale alone in a terminal.
type finaleApp struct{ m finale.Model }

func (a *finaleApp) Init() tea.Cmd { return a.m.Init() }

func (a *finaleApp) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		a.m.SetSize(msg.Width, msg.Height)
		return a, nil
	case tea.KeyPressMsg:
		switch msg.String() {
		case "q", "esc", "ctrl+c":
			a.m.Close()
			return a, tea.Quit
		}
	}
	var cmd tea.Cmd
	a.m, cmd = a.m.Update(msg)
	return a, cmd
}

func (a *finaleApp) View() tea.View {
	v := tea.NewView(a.m.View())
	v.AltScreen = true
	v.WindowTitle = "Async runtime workbook · finale"
	return v
}
