//go:build linux

package main

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"asyncworkbook/tui/internal/nav"
	"asyncworkbook/tui/internal/progress"
	"asyncworkbook/tui/internal/testkeys"
)

// TestPoolVisualiserAtEverySizeWithRandomKeys is the never-panics
// property for the executors side by side: the app opens the visualiser
// on phase 4's demos (a live pool under the Stepper), then random keys
// and sizes from 20x5 to 200x60 drive it; every view fits its window,
// and the walk must have drawn the executors view. Leaving the
// visualiser (q) opens the next demo.
func TestPoolVisualiserAtEverySizeWithRandomKeys(t *testing.T) {
	ids := []string{"p4-messages", "p4-submit-to", "p4-shutdown", "p4-sharding"}
	steps := 300
	if testing.Short() {
		steps = 150
	}
	t.Setenv(progress.EnvPath, filepath.Join(t.TempDir(), "progress.json"))
	e, err := loadEnv()
	if err != nil {
		t.Fatal(err)
	}
	poolViews := 0
	for seed := range uint64(2) {
		r := rand.New(rand.NewPCG(seed, 4))
		a := NewApp(e.cat, &e.prog, e.progPath, chaosGrader{}, "")
		p := &pump{msgs: make(chan tea.Msg, 256), stop: make(chan struct{})}
		var log []string
		w, h := 80, 24
		next := 0
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
			checkFits(t, seed, a, w, h, log)
			if strings.Contains(a.View().Content, "Executors · ") {
				poolViews++
			}
		}
		deliver(tea.WindowSizeMsg{Width: w, Height: h})
		for range steps {
			if a.top() != screenVisual {
				id := ids[next%len(ids)]
				next++
				log = append(log, "open "+id)
				deliver(nav.OpenDemo{DemoID: id})
			}
			if r.IntN(5) == 0 {
				w, h = 20+r.IntN(181), 5+r.IntN(56)
				log = append(log, fmt.Sprintf("%dx%d", w, h))
				deliver(tea.WindowSizeMsg{Width: w, Height: h})
			} else {
				k := chaosKeys[r.IntN(len(chaosKeys))]
				log = append(log, k)
				deliver(testkeys.Key(k))
			}
			for drained := false; !drained; {
				select {
				case msg := <-p.msgs:
					deliver(msg)
				case <-time.After(time.Millisecond):
					drained = true
				}
			}
		}
		a.closeAll()
		close(p.stop)
	}
	if poolViews == 0 {
		t.Fatal("no view showed the executors side by side")
	}
	t.Logf("%d executors views checked", poolViews)
}
