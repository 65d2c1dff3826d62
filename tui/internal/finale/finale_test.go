package finale

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"go.uber.org/goleak"

	"asyncworkbook/tui/internal/theme"
)

func TestMain(m *testing.M) {
	fakeProcess() // kill_unix_test.go: the test binary as a fake server, load client or go command
	goleak.VerifyTestMain(m)
}

// fake answers each server with a canned load-client line.
type fake struct {
	buildErr error
	lines    map[string]string // by Case.Label + N
	serveErr map[string]error
	served   []string
	stopped  int
	gate     chan struct{} // if set, Measure waits for it (or ctx)
}

func caseKey(c Case) string { return fmt.Sprintf("%s%d", c.Label, c.N) }

func (f *fake) Build(context.Context) error { return f.buildErr }
func (f *fake) Serve(_ context.Context, c Case) (string, int, func(), error) {
	if err := f.serveErr[caseKey(c)]; err != nil {
		return "", 0, nil, err
	}
	f.served = append(f.served, caseKey(c))
	return caseKey(c), 42, func() { f.stopped++ }, nil
}
func (f *fake) Measure(ctx context.Context, addr string, pid int, l Load) (string, error) {
	if f.gate != nil {
		select {
		case <-f.gate:
		case <-ctx.Done():
			return "", ctx.Err()
		}
	}
	return f.lines[addr], nil
}

var load = Load{Conns: 64, Size: 64, Warmup: time.Second, Duration: 2 * time.Second}

func TestRunMeasuresEveryCaseInOrderAndStopsEachServer(t *testing.T) {
	f := &fake{lines: map[string]string{
		"pool1": "300000 2000", "gnet1": "240000 2600", "goroutines1": "150000 4000",
		"pool2": "500000 2100", "gnet2": "400000 2500", "goroutines2": "hello",
	}, serveErr: map[string]error{"gnet2": errors.New("port taken")}}
	var ps []Progress
	res := Run(context.Background(), f, Cases(1, 2), load, func(p Progress) { ps = append(ps, p) })
	if len(res) != 6 || f.stopped != 5 || strings.Join(f.served, " ") != "pool1 gnet1 goroutines1 pool2 goroutines2" {
		t.Fatalf("%d results, %d stopped, served %v", len(res), f.stopped, f.served)
	}
	if res[0].RoundTrips != 300000 || res[0].CPUPerRT != 2000 || res[0].Label != "pool" || res[0].N != 1 {
		t.Fatalf("first result %+v", res[0])
	}
	if res[4].Err == nil || !strings.Contains(res[4].Err.Error(), "port taken") {
		t.Fatalf("a server that does not start: %+v", res[4])
	}
	if res[5].Err == nil || !strings.Contains(res[5].Err.Error(), `"hello"`) {
		t.Fatalf("a load client line that is not two numbers: %+v", res[5])
	}
	// building, then (start, result) per case, then done.
	if len(ps) != 1+2*6+1 || !strings.Contains(ps[0].Now, "building") || !ps[len(ps)-1].Done || ps[len(ps)-1].Step != 6 {
		t.Fatalf("progress %+v", ps)
	}
	for i := range 6 {
		start, end := ps[1+2*i], ps[2+2*i]
		if start.Step != i || start.Result != nil || end.Step != i+1 || end.Result == nil {
			t.Fatalf("case %d: progress %+v then %+v", i, start, end)
		}
	}
}

func TestRunStopsOnABuildFailure(t *testing.T) {
	f := &fake{buildErr: errors.New("no go command")}
	var last Progress
	res := Run(context.Background(), f, Cases(1), load, func(p Progress) { last = p })
	if res != nil || !last.Done || last.Err == nil || !strings.Contains(last.Err.Error(), "no go command") || len(f.served) != 0 {
		t.Fatalf("results %v, last %+v", res, last)
	}
}

func TestParseLoadRejectsNonsense(t *testing.T) {
	for _, line := range []string{"", "1", "1 2 3", "x 2", "1 y", "0 100"} {
		if _, _, err := parseLoad(line); err == nil {
			t.Errorf("parseLoad(%q) accepted it", line)
		}
	}
	if rt, cpu, err := parseLoad("12345 678"); err != nil || rt != 12345 || cpu != 678 {
		t.Fatalf("parseLoad: %v %v %v", rt, cpu, err)
	}
}

// drive runs the model's commands until the run is done.
func drive(t *testing.T, m Model, cmd tea.Cmd) Model {
	t.Helper()
	for cmd != nil {
		msg := cmd()
		if msg == nil {
			break
		}
		m, cmd = m.Update(msg)
	}
	return m
}

func TestModelShowsProgressThenBarsAndRatios(t *testing.T) {
	f := &fake{lines: map[string]string{"pool2": "300000 2000", "gnet2": "240000 2600", "goroutines2": "150000 4000"}}
	m := New(f, Cases(2), load, theme.Theme{})
	m.SetSize(80, 24)
	cmd := m.Init()
	m, cmd = m.Update(cmd()) // building
	if v := ansi.Strip(m.View()); !strings.Contains(v, "0/3 · building") || !strings.Contains(v, "nothing measured yet") {
		t.Fatalf("at the start:\n%s", v)
	}
	m = drive(t, m, cmd)
	v := ansi.Strip(m.View())
	if !m.Done() || !strings.Contains(v, "3/3 · ✓ done") || !strings.Contains(v, "R restart") {
		t.Fatalf("at the end:\n%s", v)
	}
	bar := func(label string, chart int) int {
		n := 0
		for _, l := range strings.Split(v, "\n") {
			if strings.Contains(l, "N=2 "+label+" ") {
				if n++; n == chart {
					return strings.Count(l, "█")
				}
			}
		}
		return -1
	}
	// Round trips: the pool's bar is the longest, gnet's 0.8 of it.
	p, g, o := bar("pool", 1), bar("gnet", 1), bar("goroutines", 1)
	if p <= g || g <= o || o <= 0 || float64(g)/float64(p) < 0.75 || float64(g)/float64(p) > 0.85 {
		t.Fatalf("round-trip bars pool %d gnet %d goroutines %d:\n%s", p, g, o, v)
	}
	// CPU per round trip: the goroutines' bar is the longest.
	if bar("goroutines", 2) <= bar("pool", 2) {
		t.Fatalf("CPU bars:\n%s", v)
	}
	if !strings.Contains(v, "✓ 1.25× vs gnet") || !strings.Contains(v, "✓ 2.00× vs goroutines") {
		t.Fatalf("ratios:\n%s", v)
	}
}

func TestModelMissedTargetSaysSo(t *testing.T) {
	f := &fake{lines: map[string]string{"pool1": "100000 2000", "gnet1": "100000 2600", "goroutines1": "100000 4000"}}
	m := New(f, Cases(1), load, theme.Theme{})
	m = drive(t, m, m.Init())
	if v := ansi.Strip(m.View()); !strings.Contains(v, "✗ 1.00× vs gnet (target ≥ 1.2×)") {
		t.Fatalf("a missed target is not marked:\n%s", v)
	}
}

func TestModelCloseStopsARunInProgress(t *testing.T) {
	f := &fake{gate: make(chan struct{}), lines: map[string]string{}}
	m := New(f, Cases(1), load, theme.Theme{})
	cmd := m.Init()
	m, _ = m.Update(cmd()) // building
	m.Close()              // the first Measure waits on the gate: ctx ends it
	// goleak (TestMain) checks that the run's goroutine ended.
}

func TestModelFitsEverySize(t *testing.T) {
	f := &fake{lines: map[string]string{"pool1": "300000 2000", "gnet1": "240000 2600", "goroutines1": "150000 4000"}}
	m := New(f, Cases(1), load, theme.New(true))
	m = drive(t, m, m.Init())
	for w := 20; w <= 200; w += 3 {
		for h := 5; h <= 60; h += 2 {
			m.SetSize(w, h)
			lines := strings.Split(m.View(), "\n")
			if len(lines) > h {
				t.Fatalf("%dx%d: %d lines", w, h, len(lines))
			}
			for _, l := range lines {
				if ansi.StringWidth(l) > w {
					t.Fatalf("%dx%d: %q is %d wide", w, h, ansi.Strip(l), ansi.StringWidth(l))
				}
			}
		}
	}
}

// TestRealBench runs the real servers once, briefly: slow (it builds
// bench/ with gnet), so only with WORKBOOK_FINALE=1.
func TestRealBench(t *testing.T) {
	if os.Getenv("WORKBOOK_FINALE") != "1" {
		t.Skip("set WORKBOOK_FINALE=1 to build and run bench/'s servers")
	}
	dir, err := FindBench(filepath.Join("..", "..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	b := &Bench{Dir: dir}
	defer b.Close()
	res := Run(context.Background(), b, Cases(1), Load{Conns: 16, Size: 64, Warmup: 200 * time.Millisecond, Duration: 500 * time.Millisecond}, func(p Progress) {
		if p.Err != nil {
			t.Fatal(p.Err)
		}
	})
	for _, r := range res {
		if r.Err != nil || r.RoundTrips <= 0 || r.CPUPerRT <= 0 {
			t.Fatalf("%+v", r)
		}
		t.Logf("%s N=%d: %.0f round trips/s, %.0f ns server CPU per round trip", r.Label, r.N, r.RoundTrips, r.CPUPerRT)
	}
}

// TestInitCopiesWhatTheRunNeeds: the app keeps the Model by value and
// replaces it on every Update while the run goroutine works; the run
// must not read the Model's fields after Init returns (go test -race
// catches a run that does).
func TestInitCopiesWhatTheRunNeeds(t *testing.T) {
	f := &fake{lines: map[string]string{"pool1": "300000 2000", "gnet1": "240000 2600", "goroutines1": "150000 4000"}}
	m := New(f, Cases(1), load, theme.Theme{})
	cmd := m.Init()
	old := m
	m = New(&fake{}, nil, Load{}, theme.Theme{}) // what the app's Update does to its copy
	old = drive(t, old, cmd)
	if !old.Done() || len(old.Results()) != 3 {
		t.Fatalf("the run after the model was replaced: done %v, %d results", old.Done(), len(old.Results()))
	}
	_ = m
}
