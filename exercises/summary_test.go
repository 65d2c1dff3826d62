// Package exercises holds the learner's exercises, one package a folder
// (phase1/01-countdown, ...). This file is its only Go file: a test that
// says, in `go test ./...`'s output, how many exercises are not started.
//
// An exercise nobody has started still reports "ok": its tests skip with
// a pointer to the README, and go test shows skips only with -v. So that
// "ok" never reads as "passed", this test (whose package sorts just before
// the exercises) writes one line to the terminal: how many exercises are
// not started and where to begin. It writes to /dev/tty because go test
// shows nothing a passing test prints; without a terminal (CI, a pipe)
// the line is only in the -v log.
package exercises

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"asyncworkbook/phases/check"
)

// notStarted returns the exercises whose code still calls check.TODO():
// the skeleton's "write this" marker, which makes their tests skip.
func notStarted(root string) (all, todo []string, err error) {
	all, err = check.ListExercises(root, check.Exercises)
	if err != nil {
		return nil, nil, err
	}
	for _, id := range all {
		files, _ := filepath.Glob(filepath.Join(check.ExerciseDir(root, check.Exercises, id), "*.go"))
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			if hasTODO(f) {
				todo = append(todo, id)
				break
			}
		}
	}
	return all, todo, nil
}

func hasTODO(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if strings.HasPrefix(strings.TrimSpace(sc.Text()), "check.TODO(") {
			return true
		}
	}
	return false
}

// summary is the line shown, or "" when every exercise is started.
func summary(all, todo []string) string {
	if len(todo) == 0 {
		return ""
	}
	return fmt.Sprintf("workbook: %d of %d exercises not started: their tests skip, so go test says ok for them. "+
		"Begin with exercises/%s/README.md, or run: go run ./tui", len(todo), len(all), todo[0])
}

func TestSayWhichExercisesAreNotStarted(t *testing.T) {
	root, err := check.FindRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	all, todo, err := notStarted(root)
	if err != nil {
		t.Fatal(err)
	}
	line := summary(all, todo)
	if line == "" {
		t.Logf("all %d exercises started", len(all))
		return
	}
	t.Log(line)
	if tty, err := os.OpenFile("/dev/tty", os.O_WRONLY, 0); err == nil {
		fmt.Fprintln(tty, line)
		tty.Close()
	}
}

func TestSummaryCountsOnlyExercisesWithATODO(t *testing.T) {
	root := t.TempDir()
	write := func(rel, text string) {
		p := filepath.Join(root, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("go.mod", "module asyncworkbook\n")
	write("exercises/phase1/01-a/a.go", "package a\n\nfunc F() {\n\tcheck.TODO() // delete this line\n}\n")
	write("exercises/phase1/01-a/a_test.go", "package a\n")
	write("exercises/phase1/01-a/README.md", "# A\n")
	write("exercises/phase1/02-b/README.md", "# B\n")
	write("exercises/phase1/02-b/b.go", "package b\n\n// check.TODO() was here\nfunc F() {}\n")
	write("exercises/phase1/02-b/b_test.go", "package b\n\nfunc init() { check.TODO() }\n")
	all, todo, err := notStarted(root)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 2 || len(todo) != 1 || todo[0] != "phase1/01-a" {
		t.Fatalf("all %v, not started %v; want 2 and [phase1/01-a]", all, todo)
	}
	if s := summary(all, todo); !strings.Contains(s, "1 of 2 exercises not started") || !strings.Contains(s, "exercises/phase1/01-a/README.md") {
		t.Fatalf("summary %q", s)
	}
	if s := summary(all, nil); s != "" {
		t.Fatalf("summary with none left: %q", s)
	}
}
