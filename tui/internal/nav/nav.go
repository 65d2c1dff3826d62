// Package nav holds the messages screens send to the app to move between
// them. Screens never hold each other: they return a Cmd producing one of
// these, and the root model acts on it.
package nav

import tea "charm.land/bubbletea/v2"

// OpenLesson asks for the lesson view of a lesson.
type OpenLesson struct{ ID string }

// OpenDemo asks for the visualiser running a lesson's demo.
type OpenDemo struct{ DemoID string }

// OpenExercise asks for the exercise view.
type OpenExercise struct{ ID string }

// Back asks to leave the current screen (quit from the home screen).
type Back struct{}

// SetDone marks a lesson done or not done.
type SetDone struct {
	LessonID string
	Done     bool
}

// Cmd wraps a message in a Cmd.
func Cmd(msg tea.Msg) tea.Cmd { return func() tea.Msg { return msg } }

// RunMine asks for the visualiser running an exercise's trace demo on
// the learner's own code.
type RunMine struct{ ExerciseID, Title string }

// SaveProgress asks the app to write the progress file (a screen changed
// the shared progress record).
type SaveProgress struct{}

// ExercisePassed says an exercise's check passed: the app marks its
// lesson done once all of the lesson's exercises have passed.
type ExercisePassed struct{ ID string }

// NextExercise asks to replace the exercise on screen with the one after
// it in the workbook's order.
type NextExercise struct{ After string }

// OpenFinale asks for the finale screen: phase 4's head-to-head
// benchmark, run live.
type OpenFinale struct{}
