package check_test

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"asyncworkbook/phases"
	"asyncworkbook/phases/check"
)

// phase1Exercises are the exercise ids other parts of the workbook (the
// catalogue, the TUI, lessons) refer to.
var phase1Exercises = []string{
	"phase1/01-countdown",
	"phase1/02-waker-state",
	"phase1/03-run-loop",
	"phase1/04-join",
	"phase1/05-join-handle",
	"phase1/06-await",
}

// phase2Exercises are the phase-2 exercise ids.
var phase2Exercises = []string{
	"phase2/01-push-sqe",
	"phase2/02-reap-cqes",
	"phase2/03-op-table",
	"phase2/04-read-future",
	"phase2/05-echo-server",
	"phase2/06-cancel-safe-accept",
	"phase2/07-recycle-buffer",
	"phase2/08-multishot-cqes",
}

// allExercises are the exercises of every phase, in order.
var allExercises = slices.Concat(phase1Exercises, phase2Exercises)

func moduleRoot(t *testing.T) string {
	t.Helper()
	root, err := check.FindRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	return root
}

func TestBothTreesHoldExactlyTheExercises(t *testing.T) {
	root := moduleRoot(t)
	for _, tree := range []check.Tree{check.Exercises, check.Solutions} {
		ids, err := check.ListExercises(root, tree)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(ids, allExercises) {
			t.Errorf("%s/ holds the exercises %v, want %v", tree, ids, allExercises)
		}
	}
	for _, want := range [][]string{phase1Exercises, phase2Exercises} {
		prefix := strings.SplitN(want[0], "/", 2)[0] + "/"
		var inCatalogue []string
		for _, e := range phases.Default().AllExercises() {
			if strings.HasPrefix(e.ID, prefix) {
				inCatalogue = append(inCatalogue, e.ID)
			}
		}
		if len(inCatalogue) == 0 && prefix != "phase1/" {
			// The catalogue gains a phase's exercises with its lessons.
			t.Logf("the catalogue lists no %s exercises yet", prefix)
			continue
		}
		if !slices.Equal(inCatalogue, want) {
			t.Errorf("the catalogue lists the %s exercises %v, want %v", prefix, inCatalogue, want)
		}
	}
}

func TestEveryExerciseHasAReadmeWithHints(t *testing.T) {
	root := moduleRoot(t)
	cat := phases.Default()
	for _, id := range allExercises {
		var first check.Readme
		for i, tree := range []check.Tree{check.Exercises, check.Solutions} {
			r, err := check.ParseReadme(filepath.Join(check.ExerciseDir(root, tree, id), "README.md"))
			if err != nil {
				t.Errorf("%s: %v", id, err)
				continue
			}
			if len(r.Hints) < 2 {
				t.Errorf("%s/%s/README.md has %d hints, want at least 2 (gentle to explicit)", tree, id, len(r.Hints))
			}
			if i == 0 {
				first = r
			} else if !slices.Equal(r.Hints, first.Hints) || r.Body != first.Body || r.Title != first.Title {
				t.Errorf("%s: the README differs between exercises/ and solutions/", id)
			}
		}
		e, ok := cat.Exercise(id)
		if !ok {
			continue // reported by the test above
		}
		if first.Lesson != e.Lesson || first.Title != e.Title {
			t.Errorf("%s: the README says lesson %q, title %q; the catalogue says %q, %q", id, first.Lesson, first.Title, e.Lesson, e.Title)
		}
		if _, ok := cat.Lesson(first.Lesson); !ok {
			t.Errorf("%s: the README's lesson %q is not in the catalogue", id, first.Lesson)
		}
	}
}

// TestTestsAreIdenticalInBothTrees: a solution passes the very tests the
// learner runs. Given files (no build tag, the same in both trees) must be
// identical too; the other solution files are the answer (//go:build
// !wrong) or a wrong fixture (wrong_*.go, //go:build wrong), which only
// solutions/ may hold.
func TestTestsAreIdenticalInBothTrees(t *testing.T) {
	root := moduleRoot(t)
	for _, id := range allExercises {
		exDir := check.ExerciseDir(root, check.Exercises, id)
		solDir := check.ExerciseDir(root, check.Solutions, id)
		exFiles := goFiles(t, exDir)
		solFiles := goFiles(t, solDir)
		var tests, wrong int
		for name, sol := range solFiles {
			ex, inBoth := exFiles[name]
			switch {
			case strings.HasSuffix(name, "_test.go"):
				tests++
				if !inBoth || !bytes.Equal(ex, sol) {
					t.Errorf("%s: %s is not byte-identical in exercises/ and solutions/", id, name)
				}
			case strings.HasPrefix(name, "wrong_"):
				wrong++
				if !bytes.HasPrefix(sol, []byte("//go:build wrong\n")) {
					t.Errorf("%s: solutions/%s must start with //go:build wrong", id, name)
				}
				if inBoth {
					t.Errorf("%s: the wrong fixture %s must not be in exercises/", id, name)
				}
			case bytes.HasPrefix(sol, []byte("//go:build !wrong\n")):
				// the answer
			default:
				if !inBoth || !bytes.Equal(ex, sol) {
					t.Errorf("%s: solutions/%s has no //go:build !wrong line, so it is given code, but it differs from exercises/%s", id, name, name)
				}
			}
		}
		for name, ex := range exFiles {
			if _, ok := solFiles[name]; !ok && strings.HasSuffix(name, "_test.go") {
				t.Errorf("%s: exercises/%s has no twin in solutions/", id, name)
			}
			if bytes.Contains(ex, []byte("//go:build")) {
				t.Errorf("exercises/%s/%s has a //go:build line (copied from the solution?): delete that line; "+
					"your files must build without build tags, and the rest of your code can stay as it is", id, name)
			}
		}
		if tests == 0 {
			t.Errorf("%s: no tests", id)
		}
		if wrong == 0 {
			t.Errorf("%s: no wrong fixture (solutions/%s/wrong_*.go) proving the tests reject a plausible wrong answer", id, id)
		}
	}
}

func goFiles(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".go") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = b
	}
	return out
}
