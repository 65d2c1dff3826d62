package exercise

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"asyncworkbook/phases"
	"asyncworkbook/phases/check"
	"asyncworkbook/tui/internal/progress"
	"asyncworkbook/tui/internal/testkeys"
)

// TestShownSolutionHasNoInternalBuildTag: the solution the learner sees
// (and copies into exercises/) is the answer without the //go:build
// !wrong line, which would make the workbook's own tests reject the
// copy. Every exercise's real solution is checked, on screen.
func TestShownSolutionHasNoInternalBuildTag(t *testing.T) {
	root, err := check.FindRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	g := Checker{Root: root}
	for _, e := range phases.Default().AllExercises() {
		prog := &progress.Progress{}
		prog.SetExercise(e.ID, progress.ExerciseRecord{Status: "passed"})
		m := New(e, g, prog)
		m.SetSize(120, 4000)
		m, _ = press(m, "s")
		if !m.SolutionShown() {
			t.Fatalf("%s: s did not show the solution", e.ID)
		}
		if strings.Contains(m.solution, "go:build") {
			t.Errorf("%s: the solution shown has a build constraint:\n%s", e.ID, m.solution)
		}
		view := testkeys.Plain(ansi.Strip(m.View()))
		if strings.Contains(view, "go:build") {
			t.Errorf("%s: the screen shows a build constraint", e.ID)
		}
		// What is shown is the answer's code, all of it but the tag.
		sol := check.ExerciseDir(root, check.Solutions, e.ID)
		files, _ := filepath.Glob(filepath.Join(sol, "*.go"))
		for _, f := range files {
			b, _ := os.ReadFile(f)
			if !strings.HasPrefix(string(b), "//go:build !wrong\n") {
				continue
			}
			body := strings.TrimLeft(strings.TrimPrefix(string(b), "//go:build !wrong\n"), "\n")
			if !strings.Contains(m.solution, strings.TrimRight(body, "\n")) {
				t.Errorf("%s: the solution shown is not %s without its tag", e.ID, filepath.Base(f))
			}
		}
	}
}

func TestLearnerSolutionKeepsEverythingElse(t *testing.T) {
	in := "### a.go\n\n```go\n//go:build !wrong\n\npackage a\n\n// x\nfunc F() {}\n```\n"
	want := "### a.go\n\n```go\npackage a\n\n// x\nfunc F() {}\n```\n"
	if got := learnerSolution(in); got != want {
		t.Fatalf("got %q\nwant %q", got, want)
	}
}
