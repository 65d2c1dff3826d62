package check

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestUnstartedExercisesAreThoseWithATODO(t *testing.T) {
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
	write("exercises/phase1/01-a/README.md", "# A\n")
	write("exercises/phase1/01-a/a.go", "package a\n\nfunc F() {\n\tcheck.TODO() // delete this line\n}\n")
	write("exercises/phase1/02-b/README.md", "# B\n")
	// Started: the TODO line is gone (a comment mentioning it is not a call),
	// and a test file's TODO does not count.
	write("exercises/phase1/02-b/b.go", "package b\n\n// check.TODO() was here\nfunc F() {}\n")
	write("exercises/phase1/02-b/b_test.go", "package b\n\nfunc init() { check.TODO() }\n")
	all, todo, err := UnstartedExercises(root)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(all, []string{"phase1/01-a", "phase1/02-b"}) || !slices.Equal(todo, []string{"phase1/01-a"}) {
		t.Fatalf("all %v, unstarted %v", all, todo)
	}
}
