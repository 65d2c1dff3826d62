package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"asyncworkbook/phases/check"
	"asyncworkbook/phases/trace"
	"asyncworkbook/tui/internal/finale"
	"asyncworkbook/tui/internal/fixture"
	"asyncworkbook/tui/internal/nav"
	"asyncworkbook/tui/internal/progress"
	"asyncworkbook/tui/internal/testkeys"
)

// chaosGrader answers at once, with long results: a failed check whose
// output has long lines and a panic's stack, so the exercise view has
// something to wrap and scroll at every size.
type chaosGrader struct{}

func (chaosGrader) Readme(string) (check.Readme, error) {
	return check.Readme{Title: "Chaos", Body: "# Chaos\n\nMake it work. " + strings.Repeat("A long sentence that must wrap. ", 20),
		Hints: []string{"First hint.", "Second hint with `code`."}}, nil
}

func (chaosGrader) Check(ctx context.Context, id string) (check.Report, error) {
	long := "countdown_test.go:42: Countdown{N: 5} never finished: it returned Pending without waking itself, or a loop that never ends"
	stack := "panic: boom [recovered]\n" + strings.Repeat("runtime/panic.go:115 +0x1a\n", 30) + "asyncworkbook/exercises/phase1/01-countdown.(*Countdown).Poll(...)\n\tcountdown.go:17"
	return check.Report{Status: check.Failed, Tests: []check.TestResult{
		{Name: "TestPasses", Status: check.Passed},
		{Name: "TestFailsLong", Status: check.Failed, Output: long + "\n" + long},
		{Name: "TestPanics", Status: check.Failed, Output: stack},
		{Name: "TestNotStarted", Status: check.NotStarted, Output: "not started: see README"},
	}}, nil
}
func (chaosGrader) Dir(string) string  { return "" }
func (chaosGrader) Reset(string) error { return nil }
func (chaosGrader) Solution(string) (string, error) {
	return "### a.go\n\n```go\npackage a\n\nfunc F() int { return 1 }\n```\n", nil
}
func (chaosGrader) RunMine(ctx context.Context, id string, sink trace.Sink) error {
	evs := fixture.P2BatchReads()
	for i := range evs {
		sink.Event(&evs[i])
	}
	return nil
}

// chaosKeys are every key some screen binds, and a few none does.
var chaosKeys = []string{
	"n", "N", "space", "left", "right", "up", "down", "tab", "enter", "esc",
	"q", "v", "e", "1", "2", "3", "9", "m", "d", "c", "w", "h", "r", "s", "y",
	"b", "R", "p", "+", "-", "?", "g", "G", "x", "j", "k", "l", "home", "end", "pgup", "pgdown", "f",
}

// newChaosApp is the app the property tests drive: chaosGrader's
// answers, and the finale on a fake bench that answers at once.
func newChaosApp(e *env, notice string) *App {
	a := NewApp(e.cat, &e.prog, e.progPath, chaosGrader{}, notice)
	a.SetFinale(&fakeBench{}, finale.Cases(1, 2), testLoad, "")
	return a
}

// pump runs the app's Cmds on goroutines and brings their messages
// back, so that nav messages, batches from a demo and check results
// reach the app the way they do under Bubble Tea.
type pump struct {
	msgs chan tea.Msg
	stop chan struct{}
}

func (p *pump) run(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	go func() {
		msg := cmd()
		select {
		case p.msgs <- msg:
		case <-p.stop:
		}
	}()
}

// chaosRun drives a fresh app with n random key presses and resizes
// from seed, and checks after every message that the view fits the
// window: no line wider than it, no more lines than it has.
func chaosRun(t *testing.T, seed uint64, n int, seen map[screen]int) {
	t.Helper()
	r := rand.New(rand.NewPCG(seed, 9))
	t.Setenv(progress.EnvPath, filepath.Join(t.TempDir(), "progress.json"))
	e, err := loadEnv()
	if err != nil {
		t.Fatal(err)
	}
	a := newChaosApp(e, e.notice)
	p := &pump{msgs: make(chan tea.Msg, 256), stop: make(chan struct{})}
	defer close(p.stop)
	defer a.closeAll()
	var log []string
	defer func() {
		if v := recover(); v != nil {
			t.Fatalf("seed %d: panic %v after %s", seed, v, strings.Join(log, " "))
		}
	}()
	w, h := 80, 24
	deliver := func(msg tea.Msg) {
		if msg == nil {
			return
		}
		if b, ok := msg.(tea.BatchMsg); ok {
			for _, c := range b {
				p.run(c)
			}
			return
		}
		if _, ok := msg.(tea.QuitMsg); ok {
			return
		}
		_, cmd := a.Update(msg)
		p.run(cmd)
		if a.quitting {
			// q on home: start again on a fresh app, keeping the size.
			a.closeAll()
			a = newChaosApp(e, "")
			a.Update(tea.WindowSizeMsg{Width: w, Height: h})
			log = append(log, "(restart)")
		}
		checkFits(t, seed, a, w, h, log)
		seen[a.top()]++
	}
	deliver(tea.WindowSizeMsg{Width: w, Height: h})
	if seed%2 == 1 {
		// Half the walks start in the finale lesson, where f opens the
		// finale screen (a random walk from home seldom gets that far).
		log = append(log, "open p4-benchmark")
		deliver(nav.OpenLesson{ID: "p4-benchmark"})
	}
	for range n {
		if r.IntN(6) == 0 {
			w, h = 20+r.IntN(181), 5+r.IntN(56)
			log = append(log, fmt.Sprintf("%dx%d", w, h))
			deliver(tea.WindowSizeMsg{Width: w, Height: h})
		} else {
			k := chaosKeys[r.IntN(len(chaosKeys))]
			log = append(log, k)
			deliver(testkeys.Key(k))
		}
		// Let the Cmds started so far answer (those that do at once).
		for drained := false; !drained; {
			select {
			case msg := <-p.msgs:
				deliver(msg)
			case <-time.After(time.Millisecond):
				drained = true
			}
		}
	}
}

func checkFits(t *testing.T, seed uint64, a *App, w, h int, log []string) {
	t.Helper()
	view := a.View().Content
	lines := strings.Split(view, "\n")
	if len(lines) > h {
		t.Fatalf("seed %d: %d lines in a %dx%d window after %s\n%s", seed, len(lines), w, h, strings.Join(log, " "), ansi.Strip(view))
	}
	for i, l := range lines {
		if lw := ansi.StringWidth(l); lw > w {
			t.Fatalf("seed %d: line %d is %d wide in a %dx%d window after %s\n%q", seed, i, lw, w, h, strings.Join(log, " "), ansi.Strip(l))
		}
	}
}

// TestEveryScreenAtEverySizeWithRandomKeys is the never-panics property:
// random key sequences and random sizes from 20x5 to 200x60 drive every
// screen (home, lessons, the visualiser on every demo, exercises, help
// and confirmations); no view panics and every view fits its window.
func TestEveryScreenAtEverySizeWithRandomKeys(t *testing.T) {
	runs, steps := 8, 300
	if testing.Short() {
		runs, steps = 4, 200
	}
	seen := map[screen]int{}
	for seed := range uint64(runs) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) { chaosRun(t, seed, steps, seen) })
	}
	// The walk must reach every kind of screen, or it proves little.
	for _, s := range []screen{screenHome, screenLesson, screenVisual, screenExercise, screenFinale} {
		if seen[s] == 0 {
			t.Errorf("no random walk reached screen %d: %v", s, seen)
		}
	}
	t.Logf("views checked per screen (home, lesson, visualiser, exercise, finale): %v", seen)
}

// TestSmallWindowsOnEveryScreen opens each kind of screen and sweeps
// every size from 20x5 up, so the small corner is covered exhaustively.
func TestSmallWindowsOnEveryScreen(t *testing.T) {
	t.Setenv(progress.EnvPath, filepath.Join(t.TempDir(), "progress.json"))
	e, err := loadEnv()
	if err != nil {
		t.Fatal(err)
	}
	for _, route := range [][]string{{}, {"enter"}, {"enter", "?"}, {"enter", "v"}, {"enter", "v", "?"}, {"enter", "v", "b"}, {"enter", "e"}, {"enter", "e", "c"}, {"enter", "e", "?"}, {"@p4-benchmark", "f"}, {"@p4-benchmark", "f", "done"}} {
		a := newChaosApp(e, "")
		a.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
		for _, k := range route {
			switch {
			case strings.HasPrefix(k, "@"): // open a lesson by id
				a.Update(nav.OpenLesson{ID: k[1:]})
			case k == "done": // let the finale's run end
				runFinale(t, a)
			default:
				drive(t, a, k)
			}
		}
		for w := 20; w <= 90; w += 7 {
			for h := 5; h <= 30; h++ {
				a.Update(tea.WindowSizeMsg{Width: w, Height: h})
				checkFits(t, 0, a, w, h, route)
			}
		}
		a.closeAll()
	}
}

// runFinale delivers the finale's progress until its run is done.
func runFinale(t *testing.T, a *App) {
	t.Helper()
	if a.top() != screenFinale {
		t.Fatalf("not on the finale (screen %d)", a.top())
	}
	cmd := a.finale.Init() // a fresh run whose listener we hold
	for cmd != nil && !a.finale.Done() {
		msg := cmd()
		if msg == nil {
			break
		}
		_, cmd = a.Update(msg)
	}
	if !a.finale.Done() {
		t.Fatal("the finale's run did not end")
	}
}

// drive presses k and delivers what follows at once (nav messages, a
// check's result); it waits for a demo's first batch.
func drive(t *testing.T, a *App, k string) {
	t.Helper()
	_, cmd := a.Update(testkeys.Key(k))
	for range 4 {
		if cmd == nil {
			return
		}
		got := make(chan tea.Msg, 1)
		go func() { got <- cmd() }()
		select {
		case msg := <-got:
			if b, ok := msg.(tea.BatchMsg); ok {
				// Check results and nav messages come first in batches.
				for _, c := range b {
					if c != nil {
						drain := make(chan tea.Msg, 1)
						go func() { drain <- c() }()
						select {
						case m := <-drain:
							a.Update(m)
						case <-time.After(300 * time.Millisecond):
						}
					}
				}
				return
			}
			_, cmd = a.Update(msg)
		case <-time.After(300 * time.Millisecond):
			return // a listener waiting on a stopped demo
		}
	}
}
