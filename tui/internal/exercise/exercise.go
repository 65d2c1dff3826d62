// Package exercise is the exercise view: the statement and its hints
// (revealed one at a time), checking the learner's code in a subprocess
// (once, or on every save in watch mode), resetting the folder to its
// skeleton, the solution (after passing, or on a confirmed request), and
// "run mine": the lesson's demo on the learner's own code.
package exercise

import (
	"context"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"asyncworkbook/phases"
	"asyncworkbook/phases/check"
	"asyncworkbook/tui/internal/nav"
	"asyncworkbook/tui/internal/progress"
	"asyncworkbook/tui/internal/theme"
)

// Debounce is how long watch mode waits after a save before checking, so
// that a burst of writes gives one check.
const Debounce = 300 * time.Millisecond

// confirm is a question waiting for y/n.
type confirm uint8

const (
	confirmNone confirm = iota
	confirmReset
	confirmSolution
)

// instance identifies one exercise view: the messages its Cmds send back
// carry it, so a result for a view that was closed (or for another
// exercise) never lands in the one open now. Generations alone would
// not do: a new view counts from zero again.
type instance struct{ id string }

type checkDoneMsg struct {
	self *instance
	gen  int
	rep  check.Report
	err  error
}

type debounceMsg struct {
	self *instance
	gen  int
}

type resetDoneMsg struct {
	self *instance
	err  error
}

// Model is the exercise view. Make it with New; call Close when leaving.
type Model struct {
	self    *instance
	keys    KeyMap
	styles  Styles
	help    help.Model
	Ex      phases.Exercise
	grader  Grader
	prog    *progress.Progress
	readme  check.Readme
	loadErr error

	spin     spinner.Model
	checking bool
	checkGen int
	cancel   context.CancelFunc
	rerun    bool // a save came in while checking: check again after
	report   *check.Report
	checkErr error
	quiet    bool         // the running check is the one on opening (Start)
	sel      int          // the selected test (tab), -1: the first failed one
	expanded map[int]bool // tests whose whole output shows (enter)
	selLine  int          // the selected test's line in the viewport's content

	watch       *watcher
	watchGen    int
	debounceGen int

	next         phases.Exercise // the exercise after this one (n after a pass); zero at the end
	asking       confirm
	showSolution bool
	solution     string
	notice       string

	vp       viewport.Model
	content  *contentCache
	width    int
	height   int
	showHelp bool
}

// New returns the exercise view for e.
func New(e phases.Exercise, g Grader, prog *progress.Progress) Model {
	m := Model{
		self: &instance{e.ID},
		keys: DefaultKeyMap(), styles: DefaultStyles(true), help: help.New(),
		Ex: e, grader: g, prog: prog,
		spin:    spinner.New(spinner.WithSpinner(spinner.Line)),
		vp:      viewport.New(),
		sel:     -1,
		content: &contentCache{},
		width:   80, height: 24,
	}
	m.vp.KeyMap = theme.ScrollKeys()
	// "Run mine" only where the exercise has a trace demo to run.
	m.keys.RunMine.SetEnabled(e.Demo != "")
	m.readme, m.loadErr = g.Readme(e.ID)
	if m.readme.Title == "" {
		m.readme.Title = e.Title
	}
	if m.prog.Passed(e.ID) {
		sol, _ := g.Solution(e.ID)
		m.solution = learnerSolution(sol)
	}
	m.layout()
	return m
}

// SetNext tells the view which exercise comes next, offered with n once
// this one passes.
func (m *Model) SetNext(e phases.Exercise) { m.next = e; m.keys.Next.SetEnabled(false) }

// Start re-checks the exercise in the background as the view opens (the
// recorded status may be stale: a restored skeleton, a file edited
// elsewhere), in watch mode if watch is set. Call it once, after New.
func (m *Model) Start(watch bool) tea.Cmd {
	var cmd tea.Cmd
	if watch {
		*m, cmd = m.toggleWatch()
	} else {
		*m, cmd = m.startCheck()
	}
	m.quiet = m.checking // its result must not scroll the statement away
	return cmd
}

// SetSize sets the space the view may draw in.
func (m *Model) SetSize(w, h int) { m.width, m.height = w, h; m.layout() }

// SetStyles changes the look.
func (m *Model) SetStyles(s Styles) { m.styles = s; m.content.key = ""; m.layout() }

// Close stops a running check and the watcher.
func (m *Model) Close() {
	if m.cancel != nil {
		m.cancel()
	}
	m.stopWatch()
}

// Checking reports whether a check is running.
func (m Model) Checking() bool { return m.checking }

// Watching reports whether watch mode is on.
func (m Model) Watching() bool { return m.watch != nil }

// Report returns the last check's report, or nil.
func (m Model) Report() *check.Report { return m.report }

// HintsShown returns how many hints are revealed.
func (m Model) HintsShown() int { return m.prog.Exercise(m.Ex.ID).HintsShown }

// SolutionShown reports whether the solution is on screen.
func (m Model) SolutionShown() bool { return m.showSolution }

// Update handles keys, check results, file changes and the spinner.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		return m.onKey(msg)
	case checkDoneMsg:
		if msg.self != m.self || msg.gen != m.checkGen {
			return m, nil
		}
		return m.onChecked(msg)
	case changedMsg:
		if msg.self != m.self || msg.gen != m.watchGen || m.watch == nil {
			return m, nil
		}
		m.debounceGen++
		gen, self := m.debounceGen, m.self
		m.notice = "Saved " + msg.name + "; checking…"
		return m, tea.Batch(m.watch.next(m.self, m.watchGen),
			tea.Tick(Debounce, func(time.Time) tea.Msg { return debounceMsg{self, gen} }))
	case debounceMsg:
		if msg.self != m.self || msg.gen != m.debounceGen || m.watch == nil {
			return m, nil
		}
		if m.checking {
			m.rerun = true
			return m, nil
		}
		return m.startCheck()
	case watchClosedMsg:
		if msg.self == m.self && msg.gen == m.watchGen {
			m.stopWatch()
		}
		return m, nil
	case resetDoneMsg:
		if msg.self != m.self {
			return m, nil
		}
		if msg.err != nil {
			m.notice = "Reset failed: " + msg.err.Error()
		} else {
			m.report = nil
			// The recorded status is the old code's: check the skeleton.
			nm, cmd := m.startCheck()
			nm.notice = "Restored the skeleton from git; checking it…"
			nm.layout()
			return nm, cmd
		}
		m.layout()
		return m, nil
	case spinner.TickMsg:
		if !m.checking {
			return m, nil
		}
		var cmd tea.Cmd
		m.spin, cmd = m.spin.Update(msg)
		return m, cmd
	}
	var cmd tea.Cmd
	m.vp, cmd = m.vp.Update(msg)
	return m, cmd
}

func (m Model) onKey(k tea.KeyPressMsg) (Model, tea.Cmd) {
	if m.asking != confirmNone {
		return m.onAnswer(k)
	}
	m.notice = ""
	switch {
	case key.Matches(k, m.keys.Check):
		if m.checking {
			return m, nil
		}
		return m.startCheck()
	case key.Matches(k, m.keys.Watch):
		return m.toggleWatch()
	case key.Matches(k, m.keys.Hint):
		r := m.prog.Exercise(m.Ex.ID)
		if r.HintsShown >= len(m.readme.Hints) {
			m.notice = "No more hints."
			if len(m.readme.Hints) > 0 {
				m.notice += " The solution (s) is the last step."
			}
			return m, nil
		}
		r.HintsShown++
		m.prog.SetExercise(m.Ex.ID, r)
		m.layout()
		m.scrollTo(fmt.Sprintf("Hint %d of %d", r.HintsShown, len(m.readme.Hints)))
		return m, nav.Cmd(nav.SaveProgress{})
	case key.Matches(k, m.keys.Reset):
		m.asking = confirmReset
	case key.Matches(k, m.keys.Solution):
		if m.showSolution {
			m.showSolution = false
			m.layout()
			return m, nil
		}
		if m.prog.Passed(m.Ex.ID) {
			return m.revealSolution()
		}
		m.asking = confirmSolution
	case key.Matches(k, m.keys.Next): // enabled once passed, with a next exercise
		return m, nav.Cmd(nav.NextExercise{After: m.Ex.ID})
	case key.Matches(k, m.keys.RunMine): // enabled only with a trace demo
		return m, nav.Cmd(nav.RunMine{ExerciseID: m.Ex.ID, Title: m.Ex.Title})
	case key.Matches(k, m.keys.NextTest), key.Matches(k, m.keys.PrevTest):
		return m.moveSelection(key.Matches(k, m.keys.NextTest)), nil
	case key.Matches(k, m.keys.Expand):
		if i := m.selectedTest(); i >= 0 {
			if m.expanded == nil {
				m.expanded = map[int]bool{}
			}
			m.expanded[i] = !m.expanded[i]
			m.layout()
			m.vp.SetYOffset(m.selLine)
		}
	case key.Matches(k, m.keys.Top):
		m.vp.GotoTop()
	case key.Matches(k, m.keys.Bottom):
		m.vp.GotoBottom()
	case key.Matches(k, m.keys.Help):
		m.showHelp = !m.showHelp
		m.layout()
	case key.Matches(k, m.keys.Back):
		return m, nav.Cmd(nav.Back{})
	default:
		var cmd tea.Cmd
		m.vp, cmd = m.vp.Update(k)
		return m, cmd
	}
	return m, nil
}

func (m Model) onAnswer(k tea.KeyPressMsg) (Model, tea.Cmd) {
	asked := m.asking
	switch {
	case key.Matches(k, m.keys.Yes):
		m.asking = confirmNone
		switch asked {
		case confirmReset:
			g, id, self := m.grader, m.Ex.ID, m.self
			m.notice = "Resetting…"
			return m, func() tea.Msg { return resetDoneMsg{self, g.Reset(id)} }
		case confirmSolution:
			return m.revealSolution()
		}
	case key.Matches(k, m.keys.No):
		m.asking = confirmNone
		m.notice = "Cancelled."
	}
	return m, nil
}

func (m Model) revealSolution() (Model, tea.Cmd) {
	if m.solution == "" {
		s, err := m.grader.Solution(m.Ex.ID)
		if err != nil {
			m.notice = "No solution: " + err.Error()
			return m, nil
		}
		m.solution = learnerSolution(s)
	}
	m.showSolution = true
	r := m.prog.Exercise(m.Ex.ID)
	r.SolutionSeen = true
	m.prog.SetExercise(m.Ex.ID, r)
	m.layout()
	m.scrollTo("Solution")
	return m, nav.Cmd(nav.SaveProgress{})
}

// scrollTo scrolls the text so that the heading reading title (what was
// just revealed: a hint, the solution) is at the top.
func (m *Model) scrollTo(title string) {
	for i, l := range strings.Split(m.content.md, "\n") {
		t := strings.TrimSpace(ansi.Strip(l))
		if t == title || t == "## "+title {
			m.vp.SetYOffset(i)
			return
		}
	}
	m.vp.GotoBottom()
}

// startCheck runs the grader on a goroutine (a Cmd); the result comes
// back as a checkDoneMsg tagged with the check's generation.
func (m Model) startCheck() (Model, tea.Cmd) {
	m.checkGen++
	gen := m.checkGen
	ctx, cancel := context.WithCancel(context.Background())
	m.cancel, m.checking, m.rerun, m.checkErr, m.quiet = cancel, true, false, nil, false
	g, id, self := m.grader, m.Ex.ID, m.self
	run := func() (msg tea.Msg) {
		defer func() {
			if r := recover(); r != nil {
				msg = checkDoneMsg{self: self, gen: gen, err: fmt.Errorf("the grader panicked: %v", r)}
			}
		}()
		rep, err := g.Check(ctx, id)
		return checkDoneMsg{self: self, gen: gen, rep: rep, err: err}
	}
	m.layout()
	return m, tea.Batch(run, m.spin.Tick)
}

func (m Model) onChecked(msg checkDoneMsg) (Model, tea.Cmd) {
	m.checking = false
	m.cancel()
	m.cancel = nil
	m.checkErr = msg.err
	if msg.err == nil || len(msg.rep.Tests) > 0 {
		rep := msg.rep
		m.report = &rep
		m.sel, m.expanded = -1, nil
		r := m.prog.Exercise(m.Ex.ID)
		r.Status, r.Checked = rep.Status.String(), time.Now()
		m.prog.SetExercise(m.Ex.ID, r)
	}
	passed := m.report != nil && m.report.Status == check.Passed
	m.keys.Next.SetEnabled(passed && m.next.ID != "")
	if m.next.ID != "" {
		m.keys.Next.SetHelp("n", "next: "+m.next.Title)
	}
	if m.notice != "" && strings.HasPrefix(m.notice, "Saved ") {
		m.notice = "" // "Saved x.go; checking…" is answered now
	}
	m.layout()
	if m.quiet {
		m.quiet = false // the check on opening: the statement stays in view
	} else {
		m.vp.GotoBottom() // the results are at the end
		if m.selectedTest() >= 0 {
			m.vp.SetYOffset(m.selLine - 1) // the first failure at the top
		}
	}
	cmds := []tea.Cmd{nav.Cmd(nav.SaveProgress{})}
	if passed {
		cmds = append(cmds, nav.Cmd(nav.ExercisePassed{ID: m.Ex.ID}))
	}
	if m.rerun {
		var c tea.Cmd
		m, c = m.startCheck()
		cmds = append(cmds, c)
	}
	return m, tea.Batch(cmds...)
}

func (m Model) toggleWatch() (Model, tea.Cmd) {
	if m.watch != nil {
		m.stopWatch()
		m.notice = "Watch off."
		return m, nil
	}
	w, err := startWatch(m.grader.Dir(m.Ex.ID))
	if err != nil {
		m.notice = "Cannot watch: " + err.Error()
		return m, nil
	}
	m.watch = w
	m.watchGen++
	m.notice = "Watching " + m.grader.Dir(m.Ex.ID) + ": every save re-checks."
	nm, c := m.startCheck()
	return nm, tea.Batch(c, w.next(m.self, m.watchGen))
}

func (m *Model) stopWatch() {
	if m.watch != nil {
		m.watch.stop()
		m.watch = nil
		m.watchGen++
	}
}

// selectedTest is the index of the test tab selected, or of the first
// failed (or not started) one; -1 when there is none.
func (m Model) selectedTest() int {
	if m.report == nil {
		return -1
	}
	if m.sel >= 0 && m.sel < len(m.report.Tests) {
		return m.sel
	}
	for _, st := range []check.Status{check.Failed, check.NotStarted} {
		for i, t := range m.report.Tests {
			if t.Status == st {
				return i
			}
		}
	}
	return -1
}

// moveSelection selects the next (or previous) test and scrolls to it.
func (m Model) moveSelection(forward bool) Model {
	if m.report == nil || len(m.report.Tests) == 0 {
		m.notice = "No test results yet: press c to check."
		return m
	}
	n := len(m.report.Tests)
	i := m.selectedTest()
	switch {
	case i < 0 && forward:
		i = 0
	case i < 0:
		i = n - 1
	case forward:
		i = (i + 1) % n
	default:
		i = (i + n - 1) % n
	}
	m.sel = i
	m.layout()
	m.vp.SetYOffset(m.selLine - 1)
	return m
}
