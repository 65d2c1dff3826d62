package check

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
)

// UnstartedExercises returns every exercise of the learner's tree under
// root, and those whose code still calls TODO: the skeleton's "write
// this" marker, which makes their tests skip (a line that starts with
// check.TODO( in a non-test .go file).
func UnstartedExercises(root string) (all, unstarted []string, err error) {
	all, err = ListExercises(root, Exercises)
	if err != nil {
		return nil, nil, err
	}
	for _, id := range all {
		files, _ := filepath.Glob(filepath.Join(ExerciseDir(root, Exercises, id), "*.go"))
		for _, f := range files {
			if !strings.HasSuffix(f, "_test.go") && callsTODO(f) {
				unstarted = append(unstarted, id)
				break
			}
		}
	}
	return all, unstarted, nil
}

func callsTODO(path string) bool {
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
