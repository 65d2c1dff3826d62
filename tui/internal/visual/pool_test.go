package visual

import (
	"math/rand/v2"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"asyncworkbook/phases/trace"
	"asyncworkbook/tui/internal/fixture"
	"asyncworkbook/tui/internal/tracestate"
)

func poolRecorded(w, h int) Model {
	m := NewRecorded("SubmitTo", "Watch the requests go from one column to the other.", fixture.P4SubmitTo())
	m.SetSize(w, h)
	return m
}

// seekTo moves the cursor to the first event matching pred (applied).
func seekTo(t *testing.T, m Model, pred func(trace.Event) bool) Model {
	t.Helper()
	for i, e := range m.hist.Events() {
		if pred(e) {
			m.hist.Seek(i + 1)
			m.cache.dirty = true
			return m
		}
	}
	t.Fatal("no such event in the fixture")
	return m
}

// TestPoolViewShowsEachExecutorAndTheMessages: a pool's trace replaces
// the task panel with a column per executor, in pool order, and draws a
// message as an arrow from the sender's column to the receiver's.
func TestPoolViewShowsEachExecutorAndTheMessages(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		m := poolRecorded(size[0], size[1])
		m = seekTo(t, m, func(e trace.Event) bool { return e.Kind == trace.MsgSent && e.Op == "request" })
		v := plain(m.View())
		if strings.Contains(v, "Tasks") || !strings.Contains(v, "Executors · 2") {
			t.Fatalf("%v: no executors panel:\n%s", size, v)
		}
		i0, i1 := strings.Index(v, "#0 · unpinned"), strings.Index(v, "#1 · unpinned")
		if i0 < 0 || i1 < 0 || i1 < i0 {
			t.Fatalf("%v: want the columns of #0 then #1 on one line:\n%s", size, v)
		}
		// The request is written, not yet published: a dashed arrow to
		// the right (from #0, the asker, to #1).
		if !strings.Contains(v, "request 1 · written ┄") || !strings.Contains(v, "┄▶") {
			t.Fatalf("%v: no dashed arrow for request 1 towards #1:\n%s", size, v)
		}
		if !strings.Contains(v, "wrote request 1 into its channel") {
			t.Fatalf("%v: the explanation is missing:\n%s", size, v)
		}
		m = seekTo(t, m, func(e trace.Event) bool { return e.Kind == trace.MsgReceived && e.Op == "request" && e.Req == 1 })
		v = plain(m.View())
		if !strings.Contains(v, "request 1 · taken ━") {
			t.Fatalf("%v: request 1 not shown as taken:\n%s", size, v)
		}
	}
}

func TestPoolViewHeatMapFullAndCondensed(t *testing.T) {
	m := poolRecorded(120, 40)
	m.hist.Seek(m.hist.Len())
	m.cache.dirty = true
	v := plain(m.View())
	if !strings.Contains(v, "from\\to") {
		t.Fatalf("no heat map matrix at 120x40:\n%s", v)
	}
	// Six requests one way, six answers the other.
	if strings.Count(v, "█ 6") != 2 {
		t.Fatalf("want two full cells of 6 messages:\n%s", v)
	}
	m.SetSize(80, 24)
	v = plain(m.View())
	if !strings.Contains(v, "heat: ") || strings.Contains(v, "from\\to") || !strings.Contains(v, "6█") {
		t.Fatalf("no one-line heat map at 80x24:\n%s", v)
	}
	if !strings.Contains(v, "✓ closed") {
		t.Fatalf("the executors did not close at the end:\n%s", v)
	}
}

// TestPoolViewFocusKeys: 2 focuses the second executor (in pool order),
// 0 clears the focus, 9 with two executors changes nothing.
func TestPoolViewFocusKeys(t *testing.T) {
	m := poolRecorded(120, 40)
	m.hist.Seek(m.hist.Len())
	m = press(m, "2")
	v := plain(m.View())
	p := m.poolState()
	second := p.Label(p.Order()[1])
	if !strings.Contains(v, "▸"+second+" #1") || !strings.Contains(v, "focus "+second+" (0: none)") || !strings.Contains(v, second+" tasks: ") {
		t.Fatalf("2 did not focus %s:\n%s", second, v)
	}
	m = press(m, "9")
	if !strings.Contains(plain(m.View()), "focus "+second) {
		t.Fatal("9 changed the focus of a pool of two")
	}
	m = press(m, "0")
	if v := plain(m.View()); strings.Contains(v, "▸E") || !strings.Contains(v, "1–9 focus an executor") {
		t.Fatalf("0 did not clear the focus:\n%s", v)
	}
	// Outside a pool's trace the digits do nothing.
	r := press(recorded(80, 24), "2")
	if r.pool.focus != 0 {
		t.Fatal("a digit focused an executor in a phase-1 trace")
	}
}

// TestPoolStateAfterSteppingBackIsTheReplay: the cached pool state at
// any cursor, reached by stepping back and forth, equals the state built
// by applying the events up to it.
func TestPoolStateAfterSteppingBackIsTheReplay(t *testing.T) {
	m := poolRecorded(80, 24)
	evs := m.hist.Events()
	r := rand.New(rand.NewPCG(4, 2))
	for range 200 {
		pos := r.IntN(len(evs) + 1)
		m.hist.Seek(pos)
		got := m.poolState()
		var want tracestate.Pool
		for i := range evs[:pos] {
			want.Apply(&evs[i])
		}
		if !reflect.DeepEqual(got.Cols, want.Cols) || !reflect.DeepEqual(got.Flows, want.Flows) || !reflect.DeepEqual(got.Heat, want.Heat) {
			t.Fatalf("at %d the cached pool differs from the replay:\n got %+v\nwant %+v", pos, got, &want)
		}
	}
}

// TestPoolViewFitsEverySize drives the pool view with random keys at
// random sizes from 20x5 to 200x60: it never panics, and every line fits.
func TestPoolViewFitsEverySize(t *testing.T) {
	keys := []string{"n", "N", "left", "right", "1", "2", "3", "0", "9", "tab", "?", "b", "b", "up", "down", "+", "-"}
	for seed := range uint64(4) {
		r := rand.New(rand.NewPCG(seed, 7))
		m := poolRecorded(80, 24)
		for step := range 400 {
			if r.IntN(4) == 0 {
				m.SetSize(20+r.IntN(181), 5+r.IntN(56))
			} else {
				m, _ = m.Update(keyMsg(keys[r.IntN(len(keys))]))
			}
			if r.IntN(5) == 0 {
				m.hist.Seek(r.IntN(m.hist.Len() + 1))
				m.cache.dirty = true
			}
			checkPoolFits(t, seed, step, m)
		}
	}
	for w := 20; w <= 200; w += 9 {
		for h := 5; h <= 60; h += 5 {
			m := poolRecorded(w, h)
			m.hist.Seek(m.hist.Len() / 2)
			checkPoolFits(t, 0, -1, m)
		}
	}
}

func checkPoolFits(t *testing.T, seed uint64, step int, m Model) {
	t.Helper()
	v := m.View()
	lines := strings.Split(v, "\n")
	if len(lines) > m.height {
		t.Fatalf("seed %d step %d: %d lines in %dx%d:\n%s", seed, step, len(lines), m.width, m.height, ansi.Strip(v))
	}
	for i, l := range lines {
		if lw := ansi.StringWidth(l); lw > m.width {
			t.Fatalf("seed %d step %d: line %d is %d wide in %dx%d: %q", seed, step, i, lw, m.width, m.height, ansi.Strip(l))
		}
	}
}

// TestPoolViewManyExecutors: more executors than fit show a window of
// columns that follows the focus.
func TestPoolViewManyExecutors(t *testing.T) {
	var evs []trace.Event
	for i := range 6 {
		evs = append(evs, trace.Event{Seq: 1, Exec: uint32(10 + i), Kind: trace.ExecutorStarted, Index: i, CPUs: "0"})
	}
	for i := range 6 {
		evs = append(evs, trace.Event{Seq: 2, Exec: uint32(10 + i), Kind: trace.MsgSent, Peer: uint32(10 + (i+1)%6), Op: "request", Req: 1, Depth: 1})
	}
	m := NewRecorded("six", "", evs)
	m.SetSize(80, 24)
	m.hist.Seek(len(evs))
	v := plain(m.View())
	if !strings.Contains(v, "E10 #0") || strings.Contains(v, "E15 #5") || !strings.Contains(v, "not shown") {
		t.Fatalf("want the first columns and a note of the others:\n%s", v)
	}
	m = press(m, "6")
	v = plain(m.View())
	if !strings.Contains(v, "▸E15 #5") || strings.Contains(v, "E10 #0") {
		t.Fatalf("6 did not bring the sixth executor into view:\n%s", v)
	}
}

// TestPoolEventLogNamesTheExecutor: with several executors, an event of
// no task (a turn, a flush) still says whose it is.
func TestPoolEventLogNamesTheExecutor(t *testing.T) {
	m := poolRecorded(120, 40)
	m = seekTo(t, m, func(e trace.Event) bool { return e.Kind == trace.MsgFlushed })
	e := m.hist.Current()
	line := eventText(m.hist.State(), m.hist.Pos(), e)
	if want := "E" + strconv.FormatUint(uint64(e.Exec), 10) + " "; !strings.Contains(line, want) {
		t.Fatalf("%q does not name executor %d", line, e.Exec)
	}
}

// TestPoolColumnsListTheirQueues: with phase 3's queue-selected events in
// the trace, each column lists its executor's queues, the running one
// marked, in the full layout and in the condensed one.
func TestPoolColumnsListTheirQueues(t *testing.T) {
	evs := fixture.P4SubmitTo()
	var first uint32
	at := -1
	for i, e := range evs {
		if e.Kind == trace.MsgSent {
			first, at = e.Exec, i
			break
		}
	}
	if at < 0 {
		t.Fatal("no message in the fixture")
	}
	qs := trace.EncodeQueues([]trace.QueuePos{{Name: "default", Shares: 1000}, {Name: "batch", Shares: 1000, Ready: 3}})
	sel := trace.Event{Exec: first, Kind: trace.QueueSelected, Name: "batch", Queues: qs, Seq: evs[at].Seq}
	evs = append(evs[:at:at], append([]trace.Event{sel}, evs[at:]...)...)
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		m := NewRecorded("SubmitTo", "queues", evs)
		m.SetSize(size[0], size[1])
		m.hist.Seek(at + 1)
		m.cache.dirty = true
		v := plain(m.View())
		if !strings.Contains(v, "default 0 · ▸batch 3") {
			t.Fatalf("%v: the column of E%d does not list its queues:\n%s", size, first, v)
		}
	}
}
