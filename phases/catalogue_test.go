package phases

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"asyncworkbook/phases/check"
	"asyncworkbook/phases/demos"
	"asyncworkbook/phases/trace"
)

// moduleRoot returns the directory holding go.mod, found by walking up from
// the test's working directory.
func moduleRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's working directory")
		}
		dir = parent
	}
}

func TestIDsAreUnique(t *testing.T) {
	c := Default()
	seen := map[string]string{}
	claim := func(kind, id string) {
		t.Helper()
		if id == "" {
			t.Errorf("a %s has an empty id", kind)
			return
		}
		if prev, dup := seen[kind+":"+id]; dup {
			t.Errorf("%s id %q used twice (%s)", kind, id, prev)
		}
		seen[kind+":"+id] = kind
	}
	for _, p := range c.Phases {
		claim("phase", p.ID)
		for _, l := range p.Lessons {
			claim("lesson", l.ID)
		}
		for _, e := range p.Exercises {
			claim("exercise", e.ID)
		}
	}
	for _, d := range demos.All() {
		claim("demo", d.ID)
	}
}

func TestEveryLessonFileExistsAndHasATitle(t *testing.T) {
	for _, l := range Default().Lessons() {
		t.Run(l.ID, func(t *testing.T) {
			text, err := LessonText(l)
			if err != nil {
				t.Fatalf("lesson file missing from the embedded FS: %v", err)
			}
			if !strings.HasPrefix(text, "# ") {
				first, _, _ := strings.Cut(text, "\n")
				t.Fatalf("%s starts with %q, want a \"# \" title", l.File, first)
			}
		})
	}
}

func TestEveryEmbeddedLessonIsInTheCatalogue(t *testing.T) {
	listed := map[string]bool{}
	for _, l := range Default().Lessons() {
		listed[l.File] = true
	}
	err := fs.WalkDir(lessonFiles, "lessons", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".md") {
			return err
		}
		if !listed[path] {
			t.Errorf("%s is embedded but no lesson in the catalogue points to it", path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestEveryCodePointerExists(t *testing.T) {
	root := moduleRoot(t)
	for _, l := range Default().Lessons() {
		if len(l.Code) == 0 {
			t.Errorf("lesson %s points to no code", l.ID)
		}
		for _, c := range l.Code {
			if _, err := os.Stat(filepath.Join(root, filepath.FromSlash(c))); err != nil {
				t.Errorf("lesson %s points to %s: %v", l.ID, c, err)
			}
		}
	}
}

func TestEveryLessonExerciseIsListedInItsPhase(t *testing.T) {
	c := Default()
	for _, p := range c.Phases {
		own := map[string]bool{}
		for _, e := range p.Exercises {
			own[e.ID] = true
			if _, ok := c.Lesson(e.Lesson); !ok {
				t.Errorf("exercise %s belongs to lesson %q, which does not exist", e.ID, e.Lesson)
			}
			if e.Demo != "" {
				if _, ok := demos.Get(e.Demo); !ok {
					t.Errorf("exercise %s names demo %q, which is not registered", e.ID, e.Demo)
				}
				// "run mine" runs the exercise's TestTraceDemo: it must exist.
				tests, _ := filepath.Glob(filepath.Join(moduleRoot(t), "exercises", e.ID, "*_test.go"))
				found := false
				for _, f := range tests {
					b, err := os.ReadFile(f)
					found = found || (err == nil && strings.Contains(string(b), "func TestTraceDemo("))
				}
				if !found {
					t.Errorf("exercise %s has a Demo but no TestTraceDemo for \"run mine\"", e.ID)
				}
			}
			if got, ok := c.Exercise(e.ID); !ok || got != e {
				t.Errorf("Exercise(%q) = %+v, %v; want %+v", e.ID, got, ok, e)
			}
		}
		for _, l := range p.Lessons {
			for _, id := range l.Exercises {
				if !own[id] {
					t.Errorf("lesson %s leads to exercise %q, not listed in %s's Exercises", l.ID, id, p.ID)
				}
			}
		}
	}
	if n := len(c.AllExercises()); n == 0 {
		t.Error("AllExercises() is empty")
	}
}

// TestEveryLessonDemoRunsToCompletion runs each lesson's demo, traced, the
// way the visualiser would.
func TestEveryLessonDemoRunsToCompletion(t *testing.T) {
	c := Default()
	for _, l := range c.Lessons() {
		t.Run(l.ID, func(t *testing.T) {
			d, ok := demos.Get(l.Demo)
			if !ok {
				if p, _ := c.PhaseOf(l.ID); p.Number >= 2 && runtime.GOOS != "linux" {
					t.Skipf("demo %q runs on phase %d's runtime, which is Linux-only", l.Demo, p.Number)
				}
				t.Fatalf("lesson %s: demo %q is not registered", l.ID, l.Demo)
			}
			rec := trace.NewRecorder(1 << 14)
			done := make(chan error, 1)
			go func() { done <- d.Run(rec) }()
			select {
			case err := <-done:
				if err != nil {
					t.Fatalf("demo %s: %v", d.ID, err)
				}
			case <-time.After(10 * time.Second):
				t.Fatalf("demo %s did not finish", d.ID)
			}
			completed := 0
			for _, e := range rec.Events() {
				if e.Kind == trace.Completed {
					completed++
				}
			}
			if completed == 0 {
				t.Fatalf("demo %s: no Completed event in %d events", d.ID, rec.Len())
			}
		})
	}
}

// Exercise folders are written beside the catalogue; these tests fail until
// every listed exercise has its folder in exercises/ and solutions/.

func TestEveryExerciseHasAFolderInExercisesAndSolutions(t *testing.T) {
	root := moduleRoot(t)
	for _, e := range Default().AllExercises() {
		for _, top := range []string{"exercises", "solutions"} {
			dir := filepath.Join(root, top, filepath.FromSlash(e.ID))
			if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
				t.Errorf("exercise %s: no folder %s/%s (%v)", e.ID, top, e.ID, err)
			}
		}
	}
}

func TestEveryExerciseReadmeHasHints(t *testing.T) {
	c := Default()
	root := moduleRoot(t)
	for _, e := range c.AllExercises() {
		t.Run(e.ID, func(t *testing.T) {
			path := filepath.Join(root, "exercises", filepath.FromSlash(e.ID), "README.md")
			if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
				t.Fatalf("exercise %s has no README.md", e.ID)
			}
			// The workbook reads READMEs with check.ParseReadme, which
			// also rejects empty hints and hints out of order.
			r, err := check.ParseReadme(path)
			if err != nil {
				t.Fatal(err)
			}
			if len(r.Hints) < 2 {
				t.Errorf("%s has %d hints, want at least 2, gentlest first", path, len(r.Hints))
			}
			var leads []string
			for _, l := range c.Lessons() {
				if slices.Contains(l.Exercises, e.ID) {
					leads = append(leads, l.ID)
				}
			}
			if !slices.Contains(leads, r.Lesson) {
				t.Errorf("%s says \"Lesson: %s\"; the catalogue leads to it from %v", path, r.Lesson, leads)
			}
		})
	}
}

// TestEveryExerciseOpensAfterItsLesson: a phase lists its exercises in
// teaching order, each after the lesson it belongs to, and a lesson leads
// only to exercises that lesson (or an earlier one) has taught enough for.
func TestEveryExerciseOpensAfterItsLesson(t *testing.T) {
	for _, p := range Default().Phases {
		at := map[string]int{}
		for i, l := range p.Lessons {
			at[l.ID] = i
		}
		prev := -1
		for _, e := range p.Exercises {
			i, ok := at[e.Lesson]
			if !ok {
				t.Errorf("%s: lesson %q is not in %s", e.ID, e.Lesson, p.ID)
				continue
			}
			if i < prev {
				t.Errorf("%s (lesson %d, %s) comes after an exercise of lesson %d: list the exercises in the order of their lessons", e.ID, i+1, e.Lesson, prev+1)
			}
			prev = i
		}
		for i, l := range p.Lessons {
			for _, id := range l.Exercises {
				for _, e := range p.Exercises {
					if e.ID == id && at[e.Lesson] > i {
						t.Errorf("lesson %d (%s) leads to %s, which needs lesson %d (%s)", i+1, l.ID, id, at[e.Lesson]+1, e.Lesson)
					}
				}
			}
		}
		if len(p.Exercises) > 0 && p.Number == 1 && at[p.Exercises[0].Lesson] != 0 {
			t.Errorf("phase 1's first exercise %s needs lesson %s: the first lesson must have an exercise of its own", p.Exercises[0].ID, p.Exercises[0].Lesson)
		}
	}
}
