// Package visual is the workbook's visualiser: it runs a demo on a
// runtime, one event at a time if the learner wants, and shows the
// runtime's tasks, run queue and loop as they change.
//
// # How it is put together
//
//   - Feed (feed.go) runs the demo on its own goroutine with a
//     trace.Stepper and brings its events to the UI in batches.
//   - History (history.go) keeps every event and a cursor; the state at
//     the cursor comes from tracestate, rebuilt from snapshots when the
//     learner steps back.
//   - Model (this file) decides what the keys do to the cursor and to
//     the runtime; view.go draws it.
//
// # The cursor and the runtime
//
// The view shows the state after the first Pos events of the history.
// Stepping forward first replays the history; only at its end does it
// ask the runtime for a new event (Step, or ContinueUntil a Turn or Parked
// event for N). Stepping back only moves the cursor: the runtime stays
// stopped where it is. Playing lets the runtime run freely (stopping only
// at breakpoints) while the cursor advances at the chosen speed; so the
// runtime never waits on the screen.
//
// A request made while the runtime is between two stops (the learner
// types faster than events arrive) is queued and issued at the next stop,
// so no key press is lost.
package visual

import (
	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"asyncworkbook/phases/trace"
	"asyncworkbook/tui/internal/nav"
)

// runtimeState is what the UI knows about the runtime.
type runtimeState uint8

const (
	rtMoving   runtimeState = iota // released; will stop at its next stop
	rtStopped                      // stopped, waiting for a command
	rtRunning                      // running freely (play), or only to a breakpoint
	rtFinished                     // the demo returned
	rtRecorded                     // no runtime: a recorded trace
)

// action is a request to the runtime queued until its next stop.
type action uint8

const (
	actStep action = iota
	actTurn
)

// turnKinds end an executor loop turn for N.
var turnKinds = trace.NewKindSet(trace.Turn, trace.Parked)

// Speeds are the play speeds, in events per second.
var Speeds = []int{1, 2, 5, 10, 25, 50, 100, 500}

// panel is a focusable panel.
type panel uint8

const (
	panelTasks panel = iota
	panelEvents
	panelRing // only when the run has phase-2 events
	panelCount
)

// tickMsg advances the cursor while playing; gen drops stale ticks.
type tickMsg struct {
	gen   int
	owner *viewCache // the visualiser that asked (each has its own cache)
}

// Model is the visualiser component. Make it with New or NewRecorded.
type Model struct {
	keys   KeyMap
	styles Styles
	help   help.Model

	Title, About string
	run          func(trace.Sink) error // nil for a recorded trace

	feed    *Feed
	gen     int // how many runs were started (restart counts)
	hist    *History
	rt      runtimeState
	pending []action
	follow  bool // new events move the cursor to the end

	playing bool
	playGen int
	speed   int // index into Speeds
	breaks  trace.KindSet
	picker  picker

	focus    panel
	scroll   [panelCount]int // lines scrolled up from the automatic position
	showHelp bool
	width    int
	height   int

	dropped int
	err     error
	status  string // a one-line notice: breakpoint hit, finished...
	cache   *viewCache
	pool    *poolView // phase 4: the executors side by side (view_pool.go)
}

// New returns a visualiser for a demo run by run (a demo's Run, or a
// learner's trace streamed by the grader). Call Init to start it.
func New(title, about string, run func(trace.Sink) error) Model {
	m := newModel(title, about)
	m.run = run
	return m
}

// NewRecorded returns a visualiser over a fixed, recorded trace: no
// runtime, the cursor moves through the events given.
func NewRecorded(title, about string, events []trace.Event) Model {
	m := newModel(title, about)
	m.rt = rtRecorded
	m.hist.Append(events)
	return m
}

func newModel(title, about string) Model {
	return Model{
		keys: DefaultKeyMap(), styles: DefaultStyles(true), help: help.New(),
		Title: title, About: about,
		hist: NewHistory(), speed: 3, follow: true,
		picker: newPicker(), cache: &viewCache{}, pool: &poolView{},
		width: 80, height: 24,
	}
}

// Init starts the demo (if any) and returns the Cmd listening to it.
func (m *Model) Init() tea.Cmd {
	if m.run == nil {
		return nil
	}
	m.gen++
	m.feed = StartFeed(m.breaks, m.run)
	m.rt = rtMoving
	return m.feed.Listen()
}

// Close detaches the runtime so its goroutine can finish. Call it when
// the visualiser goes away.
func (m *Model) Close() {
	if m.feed != nil {
		m.feed.Detach()
	}
}

// SetSize sets the space the visualiser may draw in.
func (m *Model) SetSize(w, h int) { m.width, m.height = w, h; m.cache.dirty = true }

// SetStyles changes the look (dark or light background).
func (m *Model) SetStyles(s Styles) { m.styles = s; m.cache.dirty = true }

// History returns the events seen and the cursor.
func (m Model) History() *History { return m.hist }

// Playing reports whether play mode is on.
func (m Model) Playing() bool { return m.playing }

// Breakpoints returns the kinds that stop play.
func (m Model) Breakpoints() trace.KindSet { return m.breaks }

// Err returns the demo's error, once it has finished with one.
func (m Model) Err() error { return m.err }

// Dropped returns how many events were lost (buffer or history full).
func (m Model) Dropped() int { return m.dropped }

// Finished reports whether the demo has returned.
func (m Model) Finished() bool { return m.rt == rtFinished }

// PickerOpen reports whether the breakpoint picker is open (keys go to it).
func (m Model) PickerOpen() bool { return m.picker.open }

// Update handles batches from the runtime, ticks and keys.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	switch msg := msg.(type) {
	case BatchMsg:
		if msg.Feed != m.feed || m.feed == nil {
			return m, nil // from a run that was restarted
		}
		return m.onBatch(msg)
	case tickMsg:
		if msg.owner != m.cache || msg.gen != m.playGen || !m.playing {
			return m, nil
		}
		return m.onTick()
	case tea.KeyPressMsg:
		m.cache.dirty = true
		if m.picker.open {
			var changed bool
			m.picker, changed = m.picker.update(msg, m.keys)
			if changed {
				m.breaks = m.picker.set
				if m.feed != nil {
					m.feed.SetBreakpoints(m.breaks)
				}
			}
			return m, nil
		}
		return m.onKey(msg)
	}
	return m, nil
}

func (m Model) onKey(msg tea.KeyPressMsg) (Model, tea.Cmd) {
	m.status = ""
	k := m.keys
	switch {
	case key.Matches(msg, k.Play):
		if m.playing {
			m.pause()
			return m, nil
		}
		return m.play()
	case key.Matches(msg, k.Step):
		m.pause()
		m.stepForward()
	case key.Matches(msg, k.Turn):
		m.pause()
		m.turnForward()
	case key.Matches(msg, k.Back):
		m.pause()
		if m.hist.Pos() > 0 {
			m.hist.Seek(m.hist.Pos() - 1)
			m.follow = false
		} else {
			m.status = "This is the first event."
		}
		m.scroll = [panelCount]int{}
	case key.Matches(msg, k.Faster):
		m.speed = min(m.speed+1, len(Speeds)-1)
	case key.Matches(msg, k.Slower):
		m.speed = max(m.speed-1, 0)
	case key.Matches(msg, k.Breaks):
		m.picker.open, m.picker.set = true, m.breaks
	case key.Matches(msg, k.Restart):
		return m.restart()
	case key.Matches(msg, k.Focus):
		m.focus = (m.focus + 1) % panelCount
		if m.focus == panelRing && (!m.hist.HasRing() || m.isPool()) {
			m.focus = (m.focus + 1) % panelCount
		}
	case key.Matches(msg, k.Up) && m.focus == panelRing:
		// The in-flight table lists the oldest op first: ↓ shows later ones.
		m.scroll[panelRing] = max(m.scroll[panelRing]-1, 0)
	case key.Matches(msg, k.Down) && m.focus == panelRing:
		m.scroll[panelRing] = min(m.scroll[panelRing]+1, max(len(m.hist.State().InFlight())-1, 0))
	case key.Matches(msg, k.Up):
		m.scroll[m.focus]++
	case key.Matches(msg, k.Down):
		m.scroll[m.focus] = max(m.scroll[m.focus]-1, 0)
	case key.Matches(msg, k.Exec) && m.isPool():
		m.focusExec(int(msg.String()[0] - '0'))
	case key.Matches(msg, k.Help):
		m.showHelp = !m.showHelp
	case key.Matches(msg, k.Quit):
		return m, nav.Cmd(nav.Back{})
	}
	return m, nil
}
