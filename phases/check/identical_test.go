package check_test

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
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
	"phase1/00-two-at-once",
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

// phase3Exercises are the phase-3 exercise ids.
var phase3Exercises = []string{
	"phase3/01-pick-queue",
	"phase3/02-need-preempt",
	"phase3/03-timer-wheel",
	"phase3/04-park-until",
}

// phase4Exercises are the phase-4 exercise ids.
var phase4Exercises = []string{
	"phase4/01-spread-placement",
	"phase4/02-wake-when-parked",
	"phase4/03-shard-router",
}

// allExercises are the exercises of every phase, in order.
var allExercises = slices.Concat(phase1Exercises, phase2Exercises, phase3Exercises, phase4Exercises)

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
	for _, want := range [][]string{phase1Exercises, phase2Exercises, phase3Exercises, phase4Exercises} {
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
		// The catalogue lists them in teaching order, not folder order.
		if sorted := slices.Sorted(slices.Values(inCatalogue)); !slices.Equal(sorted, want) {
			t.Errorf("the catalogue lists the %s exercises %v, want %v (in any order)", prefix, inCatalogue, want)
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
				t.Errorf("%s/%s/HINTS.md has %d hints, want at least 2 (gentle to explicit)", tree, id, len(r.Hints))
			} else if last := r.Hints[len(r.Hints)-1]; strings.Contains(last, "```go") {
				t.Errorf("%s/%s/HINTS.md: the last hint holds Go code; make it a strong nudge or pseudo-code, not the solution", tree, id)
			}
			if !strings.Contains(r.Body, "## What the tests catch") {
				t.Errorf("%s/%s/README.md has no \"## What the tests catch\" section listing the mistakes its tests reject", tree, id)
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
// !wrong) or a wrong fixture (wrong_<name>.go, //go:build wrong && wrong_<name>), which only
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
				// One tag per fixture, so that each is checked alone:
				// go test -tags wrong,wrong_<name>.
				tag := strings.TrimSuffix(strings.TrimSuffix(name, ".go"), "_linux")
				if line := "//go:build wrong && " + tag + "\n"; !bytes.HasPrefix(sol, []byte(line)) {
					t.Errorf("%s: solutions/%s must start with %q", id, name, strings.TrimSpace(line))
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
		if wrong < 4 {
			t.Errorf("%s: %d wrong fixtures (solutions/%s/wrong_*.go), want at least 4 plausible wrong answers the tests reject", id, wrong, id)
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

// TestSkeletonsCompileWithTheTODOsDeleted deletes every check.TODO() line
// of every skeleton (through go build -overlay, the files stay as they
// are) and builds the packages: a learner who deletes the TODO lines
// first must not be met by an unused-import error.
func TestSkeletonsCompileWithTheTODOsDeleted(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go build")
	}
	root := moduleRoot(t)
	tmp := t.TempDir()
	replace := map[string]string{}
	for _, id := range allExercises {
		dir := check.ExerciseDir(root, check.Exercises, id)
		for name, src := range goFiles(t, dir) {
			if strings.HasSuffix(name, "_test.go") || !bytes.Contains(src, []byte("check.TODO()")) {
				continue
			}
			var kept []string
			for _, line := range strings.Split(string(src), "\n") {
				if strings.TrimSpace(strings.SplitN(line, "//", 2)[0]) != "check.TODO()" {
					kept = append(kept, line)
				}
			}
			out := filepath.Join(tmp, strings.ReplaceAll(id, "/", "_")+"_"+name)
			if err := os.WriteFile(out, []byte(strings.Join(kept, "\n")), 0o644); err != nil {
				t.Fatal(err)
			}
			replace[filepath.Join(dir, name)] = out
		}
	}
	if len(replace) == 0 {
		t.Fatal("no skeleton calls check.TODO()")
	}
	overlay, err := json.Marshal(map[string]any{"Replace": replace})
	if err != nil {
		t.Fatal(err)
	}
	op := filepath.Join(tmp, "overlay.json")
	if err := os.WriteFile(op, overlay, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "build", "-overlay="+op, "./exercises/...")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("with every check.TODO() line deleted, the skeletons do not build: %v\n%s", err, out)
	}
}
