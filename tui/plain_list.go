package main

import (
	"encoding/json"
	"fmt"
	"io"

	"asyncworkbook/tui/internal/home"
)

// listJSON is `list --json`: the catalogue with the learner's progress.
type listJSON struct {
	Phases []listPhase `json:"phases"`
}

type listPhase struct {
	Number    int            `json:"number"`
	Title     string         `json:"title"`
	RunsOn    string         `json:"runs_on,omitempty"` // phase 2: the ring in use
	Lessons   []listLesson   `json:"lessons"`
	Exercises []listExercise `json:"exercises"`
}

type listLesson struct {
	ID        string   `json:"id"`
	Title     string   `json:"title"`
	Status    string   `json:"status"` // done, current, not started
	Demo      string   `json:"demo,omitempty"`
	Exercises []string `json:"exercises,omitempty"`
}

type listExercise struct {
	ID      string `json:"id"`
	Title   string `json:"title"`
	Lesson  string `json:"lesson"`
	Status  string `json:"status"` // the last check's: passed, failed, not started...; "not checked"
	RunMine bool   `json:"run_mine"`
}

// plainListCmd is `list [--json]`.
func plainListCmd(args []string, stdout, stderr io.Writer, e *env) int {
	switch {
	case len(args) == 0:
		plainList(stdout, e)
		return 0
	case len(args) == 1 && (args[0] == "--json" || args[0] == "-json"):
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(listData(e)); err != nil {
			fmt.Fprintln(stderr, "workbook:", err)
			return 1
		}
		return 0
	}
	fmt.Fprintln(stderr, "usage: go run ./tui list [--json]")
	return 2
}

func listData(e *env) listJSON {
	out := listJSON{Phases: []listPhase{}}
	for _, p := range e.cat.Phases {
		lp := listPhase{Number: p.Number, Title: p.Title, Lessons: []listLesson{}, Exercises: []listExercise{}}
		if p.Number == 2 {
			lp.RunsOn = ringInUse()
		}
		for _, l := range p.Lessons {
			_, word := home.Mark(&e.prog, l.ID)
			lp.Lessons = append(lp.Lessons, listLesson{ID: l.ID, Title: l.Title, Status: word, Demo: l.Demo, Exercises: l.Exercises})
		}
		for _, x := range p.Exercises {
			st := e.prog.Exercise(x.ID).Status
			if st == "" {
				st = "not checked"
			}
			lp.Exercises = append(lp.Exercises, listExercise{ID: x.ID, Title: x.Title, Lesson: x.Lesson, Status: st, RunMine: x.Demo != ""})
		}
		out.Phases = append(out.Phases, lp)
	}
	return out
}
