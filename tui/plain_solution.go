package main

import (
	"fmt"
	"io"
	"strings"

	"asyncworkbook/tui/internal/exercise"
)

// plainSolution is `solution <exercise>`: the solved files as the
// exercise view shows them (markdown, one code block a file), for a
// screen reader or to compare with a diff tool. It records that the
// solution was seen, as the view does.
func plainSolution(args []string, stdout, stderr io.Writer, e *env) int {
	if len(args) != 1 {
		fmt.Fprintln(stderr, "usage: go run ./tui solution <exercise>   (ids from `go run ./tui list`)")
		return 2
	}
	if e.root == "" {
		fmt.Fprintln(stderr, "workbook: solution needs to run inside the workbook's module")
		return 1
	}
	if !knownExercise(args, stderr, e) {
		return 2
	}
	id := args[0]
	s, err := exercise.LearnerSolution(exercise.Checker{Root: e.root}, id)
	if err != nil {
		fmt.Fprintln(stderr, "workbook:", err)
		return 1
	}
	fmt.Fprintln(stdout, strings.TrimRight(s, "\n"))
	r := e.prog.Exercise(id)
	r.SolutionSeen = true
	e.prog.SetExercise(id, r)
	saveQuietly(stderr, e)
	return 0
}
