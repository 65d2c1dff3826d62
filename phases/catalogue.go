// Package phases is the workbook's curriculum: the catalogue of phases,
// lessons, demos and exercises, and the lessons' text (markdown, embedded
// in the binary so `go run ./tui` needs nothing else on disk to teach).
//
// The catalogue is Go data (catalogue_data.go), checked by tests: every
// lesson file exists, every demo runs to completion, every exercise has a
// folder in exercises/ and in solutions/, ids are unique.
package phases

import (
	"embed"
	"fmt"
	"io/fs"
)

//go:embed lessons
var lessonFiles embed.FS

// Catalogue is the whole curriculum, in teaching order.
type Catalogue struct {
	Phases []Phase
}

// Phase is one chapter of the workbook: one runtime folder.
type Phase struct {
	ID      string // "phase1"
	Number  int    // 1..4
	Title   string // "The executor"
	Folder  string // the runtime's folder, "phase1-executor"
	Summary string // one paragraph
	Lessons []Lesson
	// Exercises are the phase's exercise folders, in the order a learner
	// should take them. A Lesson names the ones it leads to by id.
	Exercises []Exercise
}

// Lesson is one page of teaching, with a live demo.
type Lesson struct {
	ID        string   // unique across the catalogue, "p1-wakers"
	Title     string   // "Wakers"
	File      string   // path inside the embedded lessons folder, "lessons/phase1/05-wakers.md"
	Demo      string   // id of a demo in package demos, run by the visualiser
	Exercises []string // ids of exercises this lesson leads to, "phase1/02-waker"
	Code      []string // pointers into the runtime, "phase1-executor/waker.go"
	// Finale says the lesson runs phase 4's head-to-head benchmark live
	// in the workbook (the lesson view's f key; tui/internal/finale).
	Finale bool
}

// Exercise is one folder the learner edits. Its statement lives in its
// README.md and its hints in HINTS.md beside it (exercises/<ID>/); see
// package check.
type Exercise struct {
	ID     string // "phase1/01-countdown": the folder under exercises/ and solutions/
	Title  string
	Lesson string // the lesson that introduces it
	// Demo, when set, says the exercise fills a runtime seam and its tests
	// have a TestTraceDemo that runs a scenario on the learner's code,
	// streaming trace events ("run mine"); the id names the reference
	// demo showing the same scenario on the workbook's own runtime.
	Demo string
}

// Lesson returns the lesson with the given id.
func (c *Catalogue) Lesson(id string) (Lesson, bool) {
	for _, p := range c.Phases {
		for _, l := range p.Lessons {
			if l.ID == id {
				return l, true
			}
		}
	}
	return Lesson{}, false
}

// PhaseOf returns the phase holding the lesson with the given id.
func (c *Catalogue) PhaseOf(lessonID string) (Phase, bool) {
	for _, p := range c.Phases {
		for _, l := range p.Lessons {
			if l.ID == lessonID {
				return p, true
			}
		}
	}
	return Phase{}, false
}

// Lessons returns every lesson in teaching order.
func (c *Catalogue) Lessons() []Lesson {
	var out []Lesson
	for _, p := range c.Phases {
		out = append(out, p.Lessons...)
	}
	return out
}

// Exercise returns the exercise with the given id.
func (c *Catalogue) Exercise(id string) (Exercise, bool) {
	for _, p := range c.Phases {
		for _, e := range p.Exercises {
			if e.ID == id {
				return e, true
			}
		}
	}
	return Exercise{}, false
}

// AllExercises returns every exercise, phase by phase, in the order a
// learner should take them.
func (c *Catalogue) AllExercises() []Exercise {
	var out []Exercise
	for _, p := range c.Phases {
		out = append(out, p.Exercises...)
	}
	return out
}

// LessonText returns a lesson's markdown.
func LessonText(l Lesson) (string, error) {
	b, err := fs.ReadFile(lessonFiles, l.File)
	if err != nil {
		return "", fmt.Errorf("phases: lesson %s: %w", l.ID, err)
	}
	return string(b), nil
}
