package check

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// FindRoot walks up from dir to the directory holding go.mod: the
// workbook's module root.
func FindRoot(dir string) (string, error) {
	d, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", fmt.Errorf("check: no go.mod in %s or above", dir)
		}
		d = parent
	}
}

// Tree is one of the two copies of the exercises.
type Tree string

// The two trees: the learner's copies and the solved ones.
const (
	Exercises Tree = "exercises"
	Solutions Tree = "solutions"
)

// ExerciseDir returns the folder of exercise id in tree, under root.
func ExerciseDir(root string, tree Tree, id string) string {
	return filepath.Join(root, string(tree), filepath.FromSlash(id))
}

// ListExercises returns the ids ("phase1/01-countdown") of the exercise
// folders in tree: the folders two levels down that hold a README.md,
// sorted.
func ListExercises(root string, tree Tree) ([]string, error) {
	base := filepath.Join(root, string(tree))
	phases, err := os.ReadDir(base)
	if err != nil {
		return nil, fmt.Errorf("check: listing exercises: %w", err)
	}
	var ids []string
	for _, p := range phases {
		if !p.IsDir() {
			continue
		}
		exs, err := os.ReadDir(filepath.Join(base, p.Name()))
		if err != nil {
			return nil, fmt.Errorf("check: listing exercises: %w", err)
		}
		for _, e := range exs {
			if !e.IsDir() {
				continue
			}
			_, err := os.Stat(filepath.Join(base, p.Name(), e.Name(), "README.md"))
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			ids = append(ids, path.Join(p.Name(), e.Name()))
		}
	}
	sort.Strings(ids)
	return ids, nil
}

// validID rejects ids that would leave the tree.
func validID(id string) error {
	if id == "" || strings.HasPrefix(id, "/") || strings.Contains(id, "\\") || path.Clean(id) != id || strings.HasPrefix(id, "..") {
		return fmt.Errorf("check: bad exercise id %q (want like phase1/01-countdown)", id)
	}
	return nil
}
