package check

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"
)

// GradeRow is one exercise's grade.
type GradeRow struct {
	ID     string
	Status Status
	// Counts of tests by status.
	Passed, Failed, NotStarted, Skipped int
	Elapsed                             time.Duration
	Report                              Report
	Err                                 error // RunTests could not run it at all
}

// Grade runs the tests of each exercise in ids (every exercise in the
// tree when ids is empty; opts as for RunTests, the learner's copies by
// default), one after the other, each with its own time limit, and
// returns a row per exercise. It never fails for an exercise's own sake:
// a row's Status (or Err) says what happened. The error is for an empty
// tree listing that failed, or ctx ending.
func Grade(ctx context.Context, root string, ids []string, timeout time.Duration, opts ...Option) ([]GradeRow, error) {
	if len(ids) == 0 {
		cfg := runConfig{tree: Exercises}
		for _, o := range opts {
			o(&cfg)
		}
		var err error
		if ids, err = ListExercises(root, cfg.tree); err != nil {
			return nil, err
		}
	}
	rows := make([]GradeRow, 0, len(ids))
	for _, id := range ids {
		rep, err := RunTests(ctx, root, id, timeout, false, opts...)
		if ctx.Err() != nil {
			return rows, ctx.Err()
		}
		rows = append(rows, GradeRow{
			ID: id, Status: rep.Status, Elapsed: rep.Elapsed, Report: rep, Err: err,
			Passed: rep.Count(Passed), Failed: rep.Count(Failed),
			NotStarted: rep.Count(NotStarted), Skipped: rep.Count(Skipped),
		})
	}
	return rows, nil
}

// FormatGrade renders rows as an aligned table, one exercise a line.
func FormatGrade(rows []GradeRow) string {
	var b strings.Builder
	w := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "EXERCISE\tSTATUS\tPASSED\tFAILED\tNOT STARTED\tTIME")
	for _, r := range rows {
		status := r.Status.String()
		if r.Err != nil {
			status = "error: " + r.Err.Error()
		}
		fmt.Fprintf(w, "%s\t%s\t%d\t%d\t%d\t%s\n", r.ID, status, r.Passed, r.Failed, r.NotStarted, r.Elapsed.Round(100*time.Millisecond))
	}
	w.Flush()
	return b.String()
}
