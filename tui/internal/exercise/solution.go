package exercise

import "strings"

// learnerSolution removes the workbook's internal build constraints
// (//go:build !wrong, which keeps the answer out of the wrong-fixture
// builds of solutions/) from a solution's markdown, so that what the
// learner copies is exactly what belongs in their own file.
func learnerSolution(md string) string {
	lines := strings.Split(md, "\n")
	out := lines[:0]
	for i := 0; i < len(lines); i++ {
		if strings.HasPrefix(strings.TrimSpace(lines[i]), "//go:build ") {
			if i+1 < len(lines) && strings.TrimSpace(lines[i+1]) == "" {
				i++ // and the blank line a constraint must be followed by
			}
			continue
		}
		out = append(out, lines[i])
	}
	return strings.Join(out, "\n")
}

// LearnerSolution is the solution of exercise id as the exercise view
// shows it: markdown, one "### file.go" heading and code block a file,
// without the workbook's internal build constraints.
func LearnerSolution(g Grader, id string) (string, error) {
	s, err := g.Solution(id)
	if err != nil {
		return "", err
	}
	return learnerSolution(s), nil
}
