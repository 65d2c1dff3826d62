package visual

import (
	"fmt"
	"time"

	tea "charm.land/bubbletea/v2"
)

// This file is the cursor and runtime control: what n, N, space and r do
// (see "The cursor and the runtime" in the package documentation).

// stepForward shows one more event: from history if there is one, else
// from the runtime.
func (m *Model) stepForward() {
	m.scroll = [panelCount]int{}
	if m.hist.Pos() < m.hist.Len() {
		m.hist.Seek(m.hist.Pos() + 1)
		return
	}
	m.request(actStep)
}

// turnForward runs to the next Turn or Parked event (or breakpoint).
func (m *Model) turnForward() {
	m.scroll = [panelCount]int{}
	stop := turnKinds | m.breaks
	evs := m.hist.Events()
	for i := m.hist.Pos(); i < len(evs); i++ {
		if stop.Has(evs[i].Kind) {
			m.hist.Seek(i + 1)
			return
		}
	}
	m.hist.Seek(m.hist.Len())
	m.request(actTurn)
}

// request asks the runtime for more events, now if it is stopped,
// otherwise at its next stop.
func (m *Model) request(a action) {
	switch m.rt {
	case rtFinished, rtRecorded:
		m.status = "The run has finished: ← steps back, R restarts."
		return
	case rtStopped:
		m.issue(a)
	default:
		if len(m.pending) < 64 {
			m.pending = append(m.pending, a)
		}
	}
	m.follow = true
}

func (m *Model) issue(a action) {
	switch a {
	case actStep:
		m.feed.Step()
	case actTurn:
		m.feed.ContinueUntil(turnKinds)
	}
	m.rt = rtMoving
}

func (m Model) play() (Model, tea.Cmd) {
	if m.rt == rtRecorded || m.rt == rtFinished {
		if m.hist.Pos() == m.hist.Len() {
			m.status = "The run has finished: ← steps back, R restarts."
			return m, nil
		}
	}
	m.playing, m.follow, m.pending = true, false, nil
	m.playGen++
	if m.rt == rtStopped || m.rt == rtMoving {
		m.feed.Continue()
		m.rt = rtRunning
	}
	return m, m.tick()
}

// pause stops play mode; the runtime stops at its next event.
func (m *Model) pause() {
	if !m.playing {
		return
	}
	m.playing = false
	m.playGen++ // drops the tick in flight
	if m.rt == rtRunning {
		m.feed.Pause()
		m.rt = rtMoving
	}
}

// tick returns the one-shot Cmd for the next play step.
func (m Model) tick() tea.Cmd {
	gen, owner := m.playGen, m.cache
	return tea.Tick(m.tickInterval(), func(time.Time) tea.Msg { return tickMsg{gen, owner} })
}

// tickInterval and perTick: at most ~30 frames a second, several events a
// frame at high speeds.
func (m Model) tickInterval() time.Duration {
	return max(time.Second/time.Duration(Speeds[m.speed]), time.Second/30)
}

func (m Model) perTick() int {
	return max(1, int(float64(Speeds[m.speed])*m.tickInterval().Seconds()+0.5))
}

func (m Model) onTick() (Model, tea.Cmd) {
	m.cache.dirty = true
	evs := m.hist.Events()
	pos := m.hist.Pos()
	for range m.perTick() {
		if pos == len(evs) {
			break
		}
		pos++
		if m.breaks.Has(evs[pos-1].Kind) {
			m.hist.Seek(pos)
			m.pause()
			m.status = fmt.Sprintf("Breakpoint: %s at #%d.", evs[pos-1].Kind, evs[pos-1].Seq)
			return m, nil
		}
	}
	m.hist.Seek(pos)
	if pos == len(evs) {
		switch m.rt {
		case rtFinished, rtRecorded:
			m.pause()
			m.status = "The run has finished."
			return m, nil
		case rtStopped: // stopped by an old Pause: go on
			m.feed.Continue()
			m.rt = rtRunning
		}
	}
	return m, m.tick()
}

func (m Model) onBatch(msg BatchMsg) (Model, tea.Cmd) {
	m.cache.dirty = true
	m.dropped += msg.Dropped + m.hist.Append(msg.Events)
	if m.follow {
		m.hist.Seek(m.hist.Len())
	}
	switch {
	case msg.Closed:
		return m, nil
	case msg.Done:
		m.rt, m.err, m.pending = rtFinished, msg.Err, nil
		if m.err == nil && !m.playing {
			m.status = "The demo has finished."
		}
		return m, nil
	case msg.Stop != nil && msg.Releases == m.feed.Releases():
		m.rt = rtStopped
		if len(m.pending) > 0 {
			a := m.pending[0]
			m.pending = m.pending[1:]
			m.issue(a)
		} else if m.playing && !m.breaks.Has(msg.Stop.Kind) {
			m.feed.Continue() // stopped by a Pause from before play
			m.rt = rtRunning
		}
	}
	return m, m.feed.Listen()
}

func (m Model) restart() (Model, tea.Cmd) {
	if m.run == nil {
		m.hist.Seek(0)
		m.pause()
		return m, nil
	}
	m.Close()
	m.pause()
	m.hist = NewHistory()
	m.pending, m.follow, m.err, m.dropped = nil, true, nil, 0
	m.status = "Restarted."
	cmd := m.Init()
	return m, cmd
}
