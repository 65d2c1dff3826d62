package exercise

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"asyncworkbook/phases/check"
	"asyncworkbook/phases/trace"
)

// Grader is what the exercise view needs from the grading engine. The
// real one (Checker) runs package check; tests use a fake.
type Grader interface {
	// Readme returns the exercise's statement and hints.
	Readme(id string) (check.Readme, error)
	// Check runs the exercise's tests in a subprocess, with a time limit.
	Check(ctx context.Context, id string) (check.Report, error)
	// Dir is the learner's folder for the exercise, watched for saves.
	Dir(id string) string
	// Reset restores the learner's folder to the skeleton.
	Reset(id string) error
	// Solution returns the solved code as markdown (one code block a file).
	Solution(id string) (string, error)
	// RunMine runs the exercise's trace demo on the learner's code and
	// streams its events to sink.
	RunMine(ctx context.Context, id string, sink trace.Sink) error
}

// Checker is the Grader backed by package check, for the module at Root.
type Checker struct {
	Root    string
	Timeout time.Duration // per check; check.DefaultTimeout if zero
}

// Readme parses exercises/<id>/README.md.
func (c Checker) Readme(id string) (check.Readme, error) {
	return check.ParseReadme(filepath.Join(c.Dir(id), "README.md"))
}

// Check runs the tests (go test -json -race in a subprocess), as the
// READMEs tell the learner to: the race detector is part of the check.
func (c Checker) Check(ctx context.Context, id string) (check.Report, error) {
	return check.RunTests(ctx, c.Root, id, c.Timeout, false, check.WithRace())
}

// Dir returns exercises/<id> under the root.
func (c Checker) Dir(id string) string { return check.ExerciseDir(c.Root, check.Exercises, id) }

// Reset restores exercises/<id> from git's last commit: files the
// learner changed are restored, files they added are left alone.
func (c Checker) Reset(id string) error {
	rel := filepath.ToSlash(filepath.Join(string(check.Exercises), id))
	cmd := exec.Command("git", "checkout", "HEAD", "--", rel)
	cmd.Dir = c.Root
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("git checkout %s: %v: %s", rel, err, strings.TrimSpace(string(out)))
	}
	return nil
}

// Solution returns the solved versions of the files the learner edits:
// the .go files of solutions/<id> that also exist in exercises/<id> and
// are not tests.
func (c Checker) Solution(id string) (string, error) {
	sol := check.ExerciseDir(c.Root, check.Solutions, id)
	entries, err := os.ReadDir(c.Dir(id))
	if err != nil {
		return "", err
	}
	var names []string
	for _, e := range entries {
		n := e.Name()
		if strings.HasSuffix(n, ".go") && !strings.HasSuffix(n, "_test.go") {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	var b strings.Builder
	for _, n := range names {
		src, err := os.ReadFile(filepath.Join(sol, n))
		if err != nil {
			return "", err
		}
		fmt.Fprintf(&b, "### %s\n\n```go\n%s\n```\n\n", n, strings.TrimRight(string(src), "\n"))
	}
	if b.Len() == 0 {
		return "", fmt.Errorf("no solution files for %s", id)
	}
	return b.String(), nil
}

// RunMine runs TestTraceDemo on the learner's code and streams its trace.
func (c Checker) RunMine(ctx context.Context, id string, sink trace.Sink) error {
	return check.RunTraceDemo(ctx, c.Root, id, c.Timeout, sink)
}
