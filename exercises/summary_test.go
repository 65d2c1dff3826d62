// Package exercises holds the learner's exercises, one package a folder
// (phase1/01-countdown, ...). This file is its only Go file: a test that
// says, in `go test ./...`'s output, how many exercises are not started.
//
// An exercise nobody has started still reports "ok": its tests skip with
// a pointer to the README, and go test shows skips only with -v. So that
// "ok" never reads as "passed", this test (whose package sorts just before
// the exercises) writes one line to the terminal: how many exercises are
// not started and where to begin. It writes to /dev/tty because go test
// shows nothing a passing or skipping test prints; without a terminal
// (CI, a pipe) the line is only in the -v log. Like the exercises' own
// tests it skips, or fails under WORKBOOK_STRICT=1, while any is not
// started.
package exercises

import (
	"fmt"
	"os"
	"testing"

	"asyncworkbook/phases/check"
)

// summary is the line shown, or "" when every exercise is started.
func summary(all, todo []string) string {
	if len(todo) == 0 {
		return ""
	}
	return fmt.Sprintf("workbook: %d of %d exercises not started: their tests skip, so go test says ok for them. "+
		"Begin with exercises/%s/README.md, or run: go run ./tui", len(todo), len(all), todo[0])
}

func TestHowManyExercisesAreNotStarted(t *testing.T) {
	root, err := check.FindRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	all, todo, err := check.UnstartedExercises(root)
	if err != nil {
		t.Fatal(err)
	}
	line := summary(all, todo)
	if line == "" {
		t.Skipf("all %d exercises started", len(all))
	}
	if tty, err := os.OpenFile("/dev/tty", os.O_WRONLY, 0); err == nil {
		fmt.Fprintln(tty, line)
		tty.Close()
	}
	if check.Strict() {
		t.Fatal(line)
	}
	t.Skip(line)
}
