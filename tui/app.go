package main

import (
	"context"
	"strings"

	tea "charm.land/bubbletea/v2"

	"asyncworkbook/phases"
	"asyncworkbook/phases/demos"
	"asyncworkbook/phases/trace"
	"asyncworkbook/tui/internal/exercise"
	"asyncworkbook/tui/internal/finale"
	"asyncworkbook/tui/internal/home"
	"asyncworkbook/tui/internal/lesson"
	"asyncworkbook/tui/internal/nav"
	"asyncworkbook/tui/internal/progress"
	"asyncworkbook/tui/internal/theme"
	"asyncworkbook/tui/internal/visual"
)

// screen names what is on top.
type screen uint8

const (
	screenHome screen = iota
	screenLesson
	screenVisual
	screenExercise
	screenFinale // phase 4's benchmark, live (app_finale.go)
)

// App is the root model: the only tea.Model. It owns a stack of screens
// (home, then a lesson, then its visualiser, an exercise or the finale,
// and the visualiser again for "run mine"), the catalogue and the progress
// record, and acts on the nav messages the screens send.
//
// Keys go to the screen on top; every other message goes to every open
// screen, so that a check finishing under a "run mine" visualiser still
// reaches its exercise view. Each screen ignores what it does not know.
type App struct {
	cat      *phases.Catalogue
	prog     *progress.Progress
	progPath string
	grader   exercise.Grader

	stack    []screen
	home     home.Model
	lesson   lesson.Model
	visual   visual.Model
	exercise exercise.Model
	mineStop context.CancelFunc // ends a "run mine" subprocess
	finale   finale.Model
	bench    finaleBench // what the finale measures with; see SetFinale
	watchOn  bool        // watch mode follows the learner from exercise to exercise

	recheckStop context.CancelFunc // ends the re-check at start
	homeStatus  string             // the home screen's status line

	width, height int
	dark          bool
	quitting      bool
	interrupted   bool // quit with ctrl+c
}

// NewApp returns the app. notice (a damaged progress file, say) is shown
// on the home screen.
func NewApp(cat *phases.Catalogue, prog *progress.Progress, progPath string, g exercise.Grader, notice string) *App {
	a := &App{cat: cat, prog: prog, progPath: progPath, grader: g, stack: []screen{screenHome}, width: 80, height: 24, dark: true}
	a.home = home.New(cat, prog)
	a.home.Notice = notice
	return a
}

// Init asks the terminal for its background colour, to pick light or
// dark styles.
func (a *App) Init() tea.Cmd {
	recheck := a.startRecheck()
	if theme.NoColor() {
		return recheck
	}
	return tea.Batch(tea.RequestBackgroundColor, recheck)
}

func (a *App) top() screen { return a.stack[len(a.stack)-1] }

// Update routes messages (see App).
func (a *App) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		a.width, a.height = msg.Width, msg.Height
		a.resize()
		return a, nil
	case tea.BackgroundColorMsg:
		a.dark = msg.IsDark()
		a.restyle()
		return a, nil
	case tea.KeyPressMsg:
		if msg.String() == "ctrl+c" {
			a.interrupted = true // the program exits 130, as after SIGINT
			return a, a.quit()
		}
		return a, a.updateTop(msg)
	case nav.OpenLesson:
		return a, a.openLesson(msg.ID)
	case nav.OpenDemo:
		return a, a.openDemo(msg.DemoID)
	case nav.OpenExercise:
		return a, a.openExercise(msg.ID)
	case nav.RunMine:
		return a, a.runMine(msg)
	case nav.OpenFinale:
		return a, a.openFinale()
	case nav.SetDone:
		a.prog.SetDone(msg.LessonID, msg.Done)
		return a, a.save()
	case nav.SaveProgress:
		return a, a.save()
	case nav.ExercisePassed:
		a.exercisePassed(msg.ID)
		return a, a.save()
	case nav.NextExercise:
		return a, a.nextExercise(msg.After)
	case recheckDoneMsg:
		return a, a.onRechecked(msg)
	case nav.Back:
		return a, a.back()
	}
	return a, a.updateAll(msg)
}

func (a *App) updateTop(msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	switch a.top() {
	case screenHome:
		a.home, cmd = a.home.Update(msg)
	case screenLesson:
		a.lesson, cmd = a.lesson.Update(msg)
	case screenVisual:
		a.visual, cmd = a.visual.Update(msg)
	case screenExercise:
		a.exercise, cmd = a.exercise.Update(msg)
	case screenFinale:
		cmd = a.updateFinale(msg)
	}
	return cmd
}

func (a *App) updateAll(msg tea.Msg) tea.Cmd {
	var cmds []tea.Cmd
	var cmd tea.Cmd
	for _, s := range a.stack {
		switch s {
		case screenLesson:
			a.lesson, cmd = a.lesson.Update(msg)
		case screenVisual:
			a.visual, cmd = a.visual.Update(msg)
		case screenExercise:
			a.exercise, cmd = a.exercise.Update(msg)
		case screenFinale:
			a.finale, cmd = a.finale.Update(msg)
		default:
			continue
		}
		cmds = append(cmds, cmd)
	}
	return tea.Batch(cmds...)
}

func (a *App) push(s screen) { a.stack = append(a.stack, s) }

func (a *App) openLesson(id string) tea.Cmd {
	l, ok := a.cat.Lesson(id)
	if !ok {
		return nil
	}
	a.prog.LastLesson = id
	a.lesson = lesson.New(a.cat, l, a.prog)
	a.push(screenLesson)
	a.resize()
	a.restyle()
	return a.save()
}

func (a *App) openDemo(id string) tea.Cmd {
	d, ok := demos.Get(id)
	if !ok && strings.HasPrefix(id, "p2-") {
		a.lesson.Notice("Phase 2's demos run on Linux (io_uring, or the fallback ring); this system has neither demo " + id + ".")
		return nil
	}
	if !ok {
		a.lesson.Notice("No demo called " + id + " yet.")
		return nil
	}
	about := d.About
	if strings.HasPrefix(id, "p2-") {
		// Say which ring the demo is about to run on, and why.
		about = "Ring: " + ringInUse() + ". " + about
	}
	return a.startVisual(visual.New(d.Title, about, d.Run))
}

func (a *App) runMine(msg nav.RunMine) tea.Cmd {
	ctx, cancel := context.WithCancel(context.Background())
	a.mineStop = cancel
	g, id := a.grader, msg.ExerciseID
	about := "Your code from exercises/" + id + ", run by its TestTraceDemo in a subprocess; events stream in as it runs."
	return a.startVisual(visual.New("Run mine · "+msg.Title+" (your code)", about, func(sink trace.Sink) error {
		return g.RunMine(ctx, id, sink)
	}))
}

func (a *App) startVisual(v visual.Model) tea.Cmd {
	a.visual = v
	a.push(screenVisual)
	a.resize()
	a.restyle()
	return a.visual.Init()
}

func (a *App) openExercise(id string) tea.Cmd {
	e, ok := a.cat.Exercise(id)
	if !ok {
		return nil
	}
	a.exercise = exercise.New(e, a.grader, a.prog)
	a.exercise.SetNext(a.exerciseAfter(id))
	a.push(screenExercise)
	a.resize()
	a.restyle()
	return a.exercise.Start(a.watchOn)
}

// exerciseAfter is the exercise after id in the workbook's order, or
// the zero Exercise after the last.
func (a *App) exerciseAfter(id string) phases.Exercise {
	all := a.cat.AllExercises()
	for i, e := range all {
		if e.ID == id && i+1 < len(all) {
			return all[i+1]
		}
	}
	return phases.Exercise{}
}

// nextExercise replaces the exercise on top with the one after it, and
// the lesson under it with that exercise's lesson, so q goes back to it.
func (a *App) nextExercise(after string) tea.Cmd {
	next := a.exerciseAfter(after)
	if next.ID == "" || a.top() != screenExercise {
		return nil
	}
	a.back() // closes the exercise (and remembers its watch mode)
	if a.top() == screenLesson && a.lesson.Lesson.ID != next.Lesson {
		if l, ok := a.cat.Lesson(next.Lesson); ok {
			a.lesson = lesson.New(a.cat, l, a.prog)
			a.prog.LastLesson = l.ID
		}
	}
	return tea.Batch(a.openExercise(next.ID), a.save())
}

// exercisePassed marks the exercise's lesson done once every exercise
// of that lesson has passed.
func (a *App) exercisePassed(id string) {
	e, ok := a.cat.Exercise(id)
	if !ok {
		return
	}
	l, ok := a.cat.Lesson(e.Lesson)
	if !ok {
		return
	}
	for _, x := range l.Exercises {
		if !a.prog.Passed(x) {
			return
		}
	}
	a.prog.SetDone(l.ID, true)
}

// back closes the top screen, releasing what it runs.
func (a *App) back() tea.Cmd {
	switch a.top() {
	case screenHome:
		return a.quit()
	case screenVisual:
		a.visual.Close()
		if a.mineStop != nil {
			a.mineStop()
			a.mineStop = nil
		}
	case screenExercise:
		a.watchOn = a.exercise.Watching()
		a.exercise.Close()
	case screenFinale:
		a.finale.Close() // kills the servers, the load client, a build
	}
	a.stack = a.stack[:len(a.stack)-1]
	if a.top() == screenHome {
		a.home = home.New(a.cat, a.prog) // progress marks may have changed
		a.home.Status = a.homeStatus
		a.resize()
		a.restyle()
	}
	return nil
}

// quit closes every screen (so demo goroutines and checks end) and quits.
func (a *App) quit() tea.Cmd {
	for len(a.stack) > 1 {
		a.back()
	}
	if a.recheckStop != nil {
		a.recheckStop()
	}
	a.quitting = true
	return tea.Quit
}

func (a *App) save() tea.Cmd {
	if err := progress.Save(a.progPath, *a.prog); err != nil {
		a.home.Notice = "could not save progress: " + err.Error()
	}
	return nil
}

func (a *App) resize() {
	w, h := a.width, a.height
	a.home.SetSize(w, h)
	for _, s := range a.stack {
		switch s {
		case screenLesson:
			a.lesson.SetSize(w, h)
		case screenVisual:
			a.visual.SetSize(w, h)
		case screenExercise:
			a.exercise.SetSize(w, h)
		case screenFinale:
			a.finale.SetSize(w, h)
		}
	}
}

func (a *App) restyle() {
	a.home.SetStyles(home.DefaultStyles(a.dark))
	for _, s := range a.stack {
		switch s {
		case screenLesson:
			a.lesson.SetStyles(lesson.DefaultStyles(a.dark))
		case screenVisual:
			a.visual.SetStyles(visual.DefaultStyles(a.dark))
		case screenExercise:
			a.exercise.SetStyles(exercise.DefaultStyles(a.dark))
		case screenFinale:
			a.finale.SetStyles(theme.New(a.dark))
		}
	}
}

// View draws the top screen in the alternate screen.
func (a *App) View() tea.View {
	var s string
	if !a.quitting {
		switch a.top() {
		case screenHome:
			s = a.home.View()
		case screenLesson:
			s = a.lesson.View()
		case screenVisual:
			s = a.visual.View()
		case screenExercise:
			s = a.exercise.View()
		case screenFinale:
			s = a.finale.View()
		}
	}
	v := tea.NewView(s)
	v.AltScreen = true
	v.WindowTitle = "Async runtime workbook"
	return v
}

// closeAll releases every open screen's goroutines; safe after quit.
func (a *App) closeAll() {
	for len(a.stack) > 1 {
		a.back()
	}
	if a.recheckStop != nil {
		a.recheckStop()
	}
}
