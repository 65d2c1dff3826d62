package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"text/tabwriter"
	"time"

	"asyncworkbook/phases"
	"asyncworkbook/phases/check"
	"asyncworkbook/tui/internal/exercise"
	"asyncworkbook/tui/internal/home"
	"asyncworkbook/tui/internal/progress"
)

// checkTimeout is the default time limit of one exercise's tests.
const checkTimeout = 2 * time.Minute

// plainList prints phases, lessons and exercises with their progress, as
// plain text: glyph and word for every state.
func plainList(w io.Writer, e *env) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, p := range e.cat.Phases {
		fmt.Fprintf(tw, "Phase %d · %s\n", p.Number, p.Title)
		if p.Number == 2 {
			fmt.Fprintf(tw, "  runs on: %s\n", ringInUse())
		}
		for i, l := range p.Lessons {
			glyph, word := home.Mark(&e.prog, l.ID)
			fmt.Fprintf(tw, "  %s %s\t%2d. %s\t%s\tdemo %s\n", glyph, word, i+1, l.Title, l.ID, dash(l.Demo))
		}
		for _, x := range p.Exercises {
			st := e.prog.Exercise(x.ID).Status
			if st == "" {
				st = "not checked"
			}
			fmt.Fprintf(tw, "  exercise\t%s\t%s\t%s\n", x.Title, x.ID, st)
		}
	}
	tw.Flush()
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// plainLesson prints a lesson's markdown: plain text that reads well as
// it is, in a pager or a screen reader.
func plainLesson(args []string, stdout, stderr io.Writer, e *env) int {
	if len(args) != 1 {
		fmt.Fprintln(stderr, "usage: go run ./tui lesson <id>   (ids from `go run ./tui list`)")
		return 2
	}
	l, ok := e.cat.Lesson(args[0])
	if !ok {
		fmt.Fprintf(stderr, "workbook: no lesson %q; `go run ./tui list` shows the ids\n", args[0])
		return 1
	}
	text, err := phases.LessonText(l)
	if err != nil {
		fmt.Fprintln(stderr, "workbook:", err)
		return 1
	}
	fmt.Fprintln(stdout, strings.TrimRight(text, "\n"))
	if len(l.Exercises) > 0 {
		fmt.Fprintf(stdout, "\nExercises: %s (go run ./tui check <id>)\n", strings.Join(l.Exercises, ", "))
	}
	if l.Demo != "" {
		fmt.Fprintf(stdout, "Demo: %s (open the lesson in `go run ./tui` and press v)\n", l.Demo)
	}
	return 0
}

// signalContext is cancelled by Ctrl-C, so a check's subprocess is killed.
func signalContext() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt)
}

// plainCheck runs one exercise's tests and prints one line per test.
// It exits 0 only when the exercise passed.
func plainCheck(args []string, stdout, stderr io.Writer, e *env) int {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	timeout := fs.Duration("timeout", checkTimeout, "time limit for the tests")
	if err := fs.Parse(args); err != nil || fs.NArg() != 1 {
		fmt.Fprintln(stderr, "usage: go run ./tui check [-timeout 2m] <exercise>   (ids from `go run ./tui list`)")
		return 2
	}
	if e.root == "" {
		fmt.Fprintln(stderr, "workbook: check needs to run inside the workbook's module")
		return 1
	}
	id := fs.Arg(0)
	ctx, stop := signalContext()
	defer stop()
	rep, err := exercise.Checker{Root: e.root, Timeout: *timeout}.Check(ctx, id)
	if err != nil && len(rep.Tests) == 0 {
		fmt.Fprintln(stderr, "workbook:", err)
		return 1
	}
	fmt.Fprintf(stdout, "%s %s\n", exercise.Glyph(rep.Status), id)
	for _, t := range rep.Tests {
		fmt.Fprintf(stdout, "  %-15s %s\n", exercise.Glyph(t.Status), t.Name)
	}
	if f := strings.TrimSpace(rep.Failure()); f != "" {
		fmt.Fprintf(stdout, "\n%s\n", f)
	}
	fmt.Fprintln(stdout, "\n"+rep.Summary())
	r := e.prog.Exercise(id)
	r.Status, r.Checked = rep.Status.String(), time.Now()
	e.prog.SetExercise(id, r)
	if err := progress.Save(e.progPath, e.prog); err != nil {
		fmt.Fprintln(stderr, "workbook:", err)
	}
	if rep.Status != check.Passed {
		return 1
	}
	return 0
}

// gradeRow is one line of `grade --json`.
type gradeRow struct {
	ID         string `json:"id"`
	Title      string `json:"title,omitempty"`
	Status     string `json:"status"`
	Passed     int    `json:"passed"`
	Failed     int    `json:"failed"`
	NotStarted int    `json:"not_started"`
	ElapsedMS  int64  `json:"elapsed_ms"`
	Error      string `json:"error,omitempty"`
	// From the progress file: how many hints the learner revealed, and
	// whether they opened the solution.
	HintsShown   int  `json:"hints_shown"`
	SolutionSeen bool `json:"solution_seen"`
}

// plainGrade grades every exercise of the catalogue.
func plainGrade(args []string, stdout, stderr io.Writer, e *env) int {
	fs := flag.NewFlagSet("grade", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "print JSON instead of a table")
	timeout := fs.Duration("timeout", checkTimeout, "time limit for each exercise's tests")
	if err := fs.Parse(args); err != nil || fs.NArg() != 0 {
		fmt.Fprintln(stderr, "usage: go run ./tui grade [--json] [-timeout 2m]")
		return 2
	}
	if e.root == "" {
		fmt.Fprintln(stderr, "workbook: grade needs to run inside the workbook's module")
		return 1
	}
	var ids []string
	titles := map[string]string{}
	for _, x := range e.cat.AllExercises() {
		ids = append(ids, x.ID)
		titles[x.ID] = x.Title
	}
	ctx, stop := signalContext()
	defer stop()
	rows, err := check.Grade(ctx, e.root, ids, *timeout)
	if err != nil {
		fmt.Fprintln(stderr, "workbook:", err)
		return 1
	}
	out := make([]gradeRow, 0, len(rows))
	for _, r := range rows {
		g := gradeRow{ID: r.ID, Title: titles[r.ID], Status: r.Status.String(), Passed: r.Passed,
			Failed: r.Failed, NotStarted: r.NotStarted, ElapsedMS: r.Elapsed.Milliseconds()}
		if r.Err != nil {
			g.Status, g.Error = "error", r.Err.Error()
		}
		rec := e.prog.Exercise(r.ID)
		g.HintsShown, g.SolutionSeen = rec.HintsShown, rec.SolutionSeen
		out = append(out, g)
		rec.Status, rec.Checked = g.Status, time.Now()
		e.prog.SetExercise(r.ID, rec)
	}
	if err := progress.Save(e.progPath, e.prog); err != nil {
		fmt.Fprintln(stderr, "workbook:", err)
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			return 1
		}
		return 0
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "EXERCISE\tSTATUS\tPASSED\tFAILED\tNOT STARTED\tTIME")
	for _, g := range out {
		status := g.Status
		if st := rowStatus(g.Status); st != check.StatusUnknown {
			status = exercise.Glyph(st)
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%.1fs\n", g.ID, status, g.Passed, g.Failed, g.NotStarted, float64(g.ElapsedMS)/1000)
	}
	tw.Flush()
	return 0
}

func rowStatus(word string) check.Status {
	for st := check.Passed; st <= check.TimedOut; st++ {
		if st.String() == word {
			return st
		}
	}
	return check.StatusUnknown
}
