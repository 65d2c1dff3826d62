package visual

import (
	"errors"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"asyncworkbook/phases/trace"
	"asyncworkbook/tui/internal/fixture"
	"asyncworkbook/tui/internal/tracestate"
)

// These tests run a fake runtime (the recorded fixture replayed into the
// sink) under a real Stepper. They never sleep: await runs the Listen Cmd
// and blocks until its message, which the Stepper makes deterministic.
// The timer in await only turns a bug into a failure instead of a hang.

// replayRun returns a run func that emits the fixture's first n events
// (all of them if n < 0), then returns err.
func replayRun(n int, err error) func(trace.Sink) error {
	return func(s trace.Sink) error {
		evs := fixture.SpawnSleepYield()
		if n >= 0 {
			evs = evs[:n]
		}
		for i := range evs {
			s.Event(&evs[i])
		}
		return err
	}
}

// await runs cmd (a Listen Cmd) and feeds its message to m.
func await(t *testing.T, m Model, cmd tea.Cmd) (Model, tea.Cmd) {
	t.Helper()
	if cmd == nil {
		t.Fatal("no command to wait for")
	}
	got := make(chan tea.Msg, 1)
	go func() { got <- cmd() }()
	select {
	case msg := <-got:
		return m.Update(msg)
	case <-time.After(10 * time.Second):
		t.Fatal("no message from the runtime after 10s")
	}
	panic("unreachable")
}

// settle feeds batches until the runtime is stopped with nothing queued,
// or finished.
func settle(t *testing.T, m Model, cmd tea.Cmd) (Model, tea.Cmd) {
	t.Helper()
	for m.rt != rtFinished && (m.rt != rtStopped || len(m.pending) > 0) {
		m, cmd = await(t, m, cmd)
	}
	return m, cmd
}

// send applies a key and keeps the listener going: only restart returns
// a Cmd (a new Listen) among the keys sent with it; play returns a tick,
// so tests of play call Update themselves and send the ticks by hand.
func send(m Model, cmd tea.Cmd, k string) (Model, tea.Cmd) {
	m, c := m.Update(keyMsg(k))
	if c != nil {
		cmd = c
	}
	return m, cmd
}

func live(t *testing.T, run func(trace.Sink) error) (Model, tea.Cmd) {
	t.Helper()
	m := New("test", "", run)
	m.SetSize(80, 24)
	cmd := m.Init()
	t.Cleanup(func() { m.Close() })
	return settle(t, m, cmd)
}

func TestLiveStartsStoppedAtTheFirstEvent(t *testing.T) {
	m, _ := live(t, replayRun(-1, nil))
	defer m.Close()
	if m.hist.Len() != 1 || m.hist.Pos() != 1 || m.rt != rtStopped {
		t.Fatalf("len %d pos %d rt %d; want stopped at the first event", m.hist.Len(), m.hist.Pos(), m.rt)
	}
}

func TestLiveStepAsksTheRuntimeOneEventAtATime(t *testing.T) {
	m, cmd := live(t, replayRun(-1, nil))
	defer m.Close()
	for i := 2; i <= 10; i++ {
		m, cmd = send(m, cmd, "n")
		m, cmd = settle(t, m, cmd)
		if m.hist.Len() != i || m.hist.Pos() != i {
			t.Fatalf("after %d steps: len %d pos %d", i-1, m.hist.Len(), m.hist.Pos())
		}
	}
}

// TestLiveKeysFasterThanEventsAreNotLost: five presses while the runtime
// is between stops still make five steps.
func TestLiveKeysFasterThanEventsAreNotLost(t *testing.T) {
	m, cmd := live(t, replayRun(-1, nil))
	defer m.Close()
	m, cmd = send(m, cmd, "n") // releases the stop: now moving
	for range 4 {
		m, cmd = send(m, cmd, "n") // queued until the next stop
	}
	if len(m.pending) != 4 {
		t.Fatalf("pending = %d, want 4", len(m.pending))
	}
	m, _ = settle(t, m, cmd)
	if m.hist.Pos() != 6 {
		t.Fatalf("pos = %d after 5 steps from #1, want 6", m.hist.Pos())
	}
}

func TestLiveBackThenForwardReplaysHistory(t *testing.T) {
	m, cmd := live(t, replayRun(-1, nil))
	defer m.Close()
	for range 9 {
		m, cmd = send(m, cmd, "n")
		m, cmd = settle(t, m, cmd)
	}
	want := m.hist.State().Clone()
	for range 3 {
		m, cmd = send(m, cmd, "left")
	}
	if m.hist.Pos() != 7 || m.hist.Len() != 10 {
		t.Fatalf("after 3 steps back: pos %d len %d, want 7 10", m.hist.Pos(), m.hist.Len())
	}
	releases := m.feed.Releases()
	for range 3 {
		m, cmd = send(m, cmd, "right")
	}
	if m.feed.Releases() != releases {
		t.Fatal("replaying history asked the runtime for events")
	}
	if m.hist.Pos() != 10 || dumpState(m.hist.State()) != dumpState(want) {
		t.Fatalf("replayed state differs:\n%s\nwant\n%s", dumpState(m.hist.State()), dumpState(want))
	}
	m, cmd = send(m, cmd, "right") // now the runtime
	m, _ = settle(t, m, cmd)
	if m.hist.Len() != 11 || m.hist.Pos() != 11 {
		t.Fatalf("len %d pos %d, want 11 11", m.hist.Len(), m.hist.Pos())
	}
}

func TestLiveTurnRunsToTheNextTurn(t *testing.T) {
	m, cmd := live(t, replayRun(-1, nil))
	defer m.Close()
	m, cmd = send(m, cmd, "N")
	m, cmd = settle(t, m, cmd)
	if e := m.hist.Current(); e.Kind != trace.Turn || e.Seq != 2 {
		t.Fatalf("after N: at %v, want the turn #2", e)
	}
	m, cmd = send(m, cmd, "N")
	m, _ = settle(t, m, cmd)
	if e := m.hist.Current(); e.Kind != trace.Turn || e.Seq != 10 {
		t.Fatalf("after N N: at %v, want the turn #10", e)
	}
}

func TestLivePlayRunsFreelyAndStopsAtBreakpoints(t *testing.T) {
	m, cmd := live(t, replayRun(-1, nil))
	defer m.Close()
	m, cmd = send(m, cmd, "b")
	for range 9 { // down to "parked"
		m, cmd = send(m, cmd, "down")
	}
	m, cmd = send(m, cmd, "space")
	m, cmd = send(m, cmd, "esc")
	if !m.breaks.Has(trace.Parked) || m.picker.open {
		t.Fatalf("breaks = %v, picker open %v", m.breaks, m.picker.open)
	}
	m, _ = m.Update(keyMsg("space")) // play; the test sends the ticks itself
	if !m.playing || m.rt != rtRunning {
		t.Fatalf("playing %v rt %d", m.playing, m.rt)
	}
	// The runtime runs to the breakpoint without waiting for the screen.
	for m.rt != rtStopped {
		m, cmd = await(t, m, cmd)
	}
	if m.hist.Len() != 40 || m.hist.Pos() != 1 {
		t.Fatalf("runtime at %d, cursor at %d; want 40 and 1", m.hist.Len(), m.hist.Pos())
	}
	// Ticks move the cursor until it reaches the breakpoint.
	for m.playing {
		m, _ = m.Update(tickMsg{m.playGen, m.cache})
	}
	if m.hist.Pos() != 40 || !strings.Contains(m.status, "Breakpoint: parked") {
		t.Fatalf("cursor %d, status %q; want paused at the breakpoint #40", m.hist.Pos(), m.status)
	}
	m, _ = m.Update(tickMsg{m.playGen - 1, m.cache}) // stale
	if m.hist.Pos() != 40 {
		t.Fatal("a stale tick moved the cursor")
	}
}

func TestLiveDemoPanicBecomesAnError(t *testing.T) {
	m, cmd := live(t, func(s trace.Sink) error {
		replayRun(3, nil)(s)
		panic("boom")
	})
	m, _ = m.Update(keyMsg("space"))
	for m.rt != rtFinished {
		m, cmd = await(t, m, cmd)
	}
	if m.err == nil || !strings.Contains(m.err.Error(), "the demo panicked: boom") {
		t.Fatalf("err = %v", m.err)
	}
	if v := plain(m.View()); !strings.Contains(v, "✗ demo failed") || !strings.Contains(v, "✗ the demo panicked: boom") {
		t.Fatalf("view does not show the failure:\n%s", v)
	}
}

func TestLiveDemoErrorIsShown(t *testing.T) {
	m, cmd := live(t, replayRun(5, errors.New("it broke")))
	m, _ = m.Update(keyMsg("space"))
	for m.rt != rtFinished {
		m, cmd = await(t, m, cmd)
	}
	if m.err == nil || m.hist.Len() != 5 {
		t.Fatalf("err %v, %d events", m.err, m.hist.Len())
	}
}

func TestLiveRestartDetachesTheOldRun(t *testing.T) {
	m, cmd := live(t, replayRun(-1, nil))
	old := m.feed
	oldCmd := cmd
	m, cmd = send(m, cmd, "R")
	select {
	case <-old.Done(): // the old demo ran to its end, unobserved
	case <-time.After(10 * time.Second):
		t.Fatal("the old demo is still blocked after restart")
	}
	if msg := oldCmd().(BatchMsg); !msg.Closed && !msg.Done {
		t.Fatalf("old listener got %+v, want Closed or Done", msg)
	}
	m2, _ := m.Update(BatchMsg{Feed: old, Events: fixture.SpawnSleepYield()})
	if m2.hist.Len() != 0 {
		t.Fatal("a batch from the old run was applied")
	}
	m, _ = settle(t, m, cmd)
	if m.hist.Len() != 1 || m.gen != 2 {
		t.Fatalf("after restart: len %d gen %d", m.hist.Len(), m.gen)
	}
	m.Close()
}

func TestFeedDropsBeyondCapacity(t *testing.T) {
	f := &Feed{signal: make(chan struct{}, 1)}
	e := trace.Event{Kind: trace.Woken}
	for range FeedCapacity + 7 {
		f.Event(&e) // never blocks
	}
	evs, d := f.drain()
	if len(evs) != FeedCapacity || d != 7 {
		t.Fatalf("drained %d, dropped %d", len(evs), d)
	}
}

func TestDroppedEventsAreShown(t *testing.T) {
	m, cmd := live(t, replayRun(2, nil))
	defer m.Close()
	m, _ = m.Update(BatchMsg{Feed: m.feed, Dropped: 12})
	_ = cmd
	if v := plain(m.View()); !strings.Contains(v, "12 events dropped") {
		t.Fatalf("view:\n%s", v)
	}
}

func dumpState(s *tracestate.State) string {
	var b strings.Builder
	for _, t := range s.Tasks {
		b.WriteString(s.Label(t.Key) + " " + t.Status.String() + "\n")
	}
	return b.String()
}
