// Command tui is the workbook application: `go run ./tui`.
//
// In a terminal it opens the interactive workbook: the lessons, a
// visualiser that steps through each lesson's demo runtime one event at a
// time, and the exercises with their checks. Without a terminal (in CI, a
// script, or for a screen reader) it has a plain mode; see usage below.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/term"

	"asyncworkbook/phases"
	"asyncworkbook/phases/check"
	"asyncworkbook/tui/internal/exercise"
	"asyncworkbook/tui/internal/progress"
)

const usage = `The async-runtime workbook.

Usage:
  go run ./tui                    open the interactive workbook (needs a terminal)
  go run ./tui list [--json]      list phases, lessons and exercises, with progress
  go run ./tui lesson <id>        print a lesson as plain text (ids from list)
  go run ./tui demo [<id>]        run a lesson's demo and print every event with
                                  the visualiser's explanation (no id: the demos)
  go run ./tui solution <ex>      print an exercise's solution, as the TUI shows it
  go run ./tui check <exercise>   run an exercise's tests; exit 0 only if they pass
                                  (flags: -timeout 2m)
  go run ./tui grade [--json]     grade every exercise: passed / failed /
                                  not started / build failed / timed out
                                  (flags: -json, -timeout 2m, and
                                  --fail-on-unstarted: exit 3 if any is not started)
  go run ./tui bench              phase 4's finale: the head-to-head TCP echo
                                  (pool vs gnet vs goroutines), live in a
                                  terminal, a table without one (flags: -n "1 2",
                                  -conns 64, -size 64, -warmup 1s, -d 3s)
  go run ./tui --help             this text

Exit codes: 0 success; 1 a check did not pass, or an error; 2 bad usage;
3 grade --fail-on-unstarted found unstarted exercises; 130 interrupted
(ctrl+c). "go run" itself turns every non-zero code into 1: for scripts,
build the binary once (go build -o workbook ./tui) and run ./workbook.

Without a terminal on stdin and stdout, "go run ./tui" prints the list and
a hint instead of opening the interactive workbook.

Interactive keys: ↑/↓ and enter to choose a lesson; in a lesson, v opens
the visualiser on its demo and e (or 1-9) an exercise (and, in phase 4's
last lesson, f runs the finale's benchmark live); ? shows every key
on every screen; q goes back and quits from the first screen.

Environment:
  WORKBOOK_PROGRESS   path of the progress file
                      (default <module root>/.workbook/progress.json)
  NO_COLOR            no colour; every state still has a glyph and a word
  WORKBOOK_FINALE_QUICK=1  the finale lesson's f runs a short benchmark:
                      one executor, 16 connections, 0.5 s per case
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// env is what every command needs: the catalogue, the module root, the
// progress record and where it lives.
type env struct {
	cat      *phases.Catalogue
	root     string // "" when not inside the workbook's module
	prog     progress.Progress
	progPath string
	notice   string
}

func loadEnv() (*env, error) {
	e := &env{cat: phases.Default()}
	wd, err := os.Getwd()
	if err != nil {
		return nil, err
	}
	if root, err := check.FindRoot(wd); err == nil {
		e.root = root
	}
	e.progPath = progress.DefaultPath(e.root)
	if e.root == "" && os.Getenv(progress.EnvPath) == "" {
		dir, err := os.UserConfigDir()
		if err != nil {
			return nil, errors.New("not inside the workbook's module and no WORKBOOK_PROGRESS set")
		}
		e.progPath = dir + "/asyncworkbook/progress.json"
	}
	e.prog, e.notice, err = progress.Load(e.progPath)
	if err != nil {
		e.notice += " (" + err.Error() + ")"
	}
	return e, nil
}

// run is main without os.Exit, for tests.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		switch args[0] {
		case "-h", "--help", "-help", "help":
			fmt.Fprint(stdout, usage)
			return 0
		}
	}
	e, err := loadEnv()
	if err != nil {
		fmt.Fprintln(stderr, "workbook:", err)
		return 1
	}
	if e.notice != "" && (len(args) > 0 || !interactive()) {
		fmt.Fprintln(stderr, "workbook:", e.notice)
	}
	if len(args) == 0 {
		if !interactive() {
			plainList(stdout, e)
			fmt.Fprintln(stdout, "\n(No terminal: this is the plain listing. Run `go run ./tui` in a terminal for the interactive workbook, or `go run ./tui --help`.)")
			return 0
		}
		return runTUI(e, stderr)
	}
	switch args[0] {
	case "list":
		return plainListCmd(args[1:], stdout, stderr, e)
	case "lesson":
		return plainLesson(args[1:], stdout, stderr, e)
	case "demo":
		return plainDemo(args[1:], stdout, stderr)
	case "solution":
		return plainSolution(args[1:], stdout, stderr, e)
	case "check":
		if !knownExercise(args[1:], stderr, e) {
			return 2
		}
		return plainCheck(args[1:], stdout, stderr, e)
	case "bench":
		return benchCmd(args[1:], stdout, stderr, e) // finale.go
	case "grade":
		rest, strict := takeFlag(args[1:], "fail-on-unstarted")
		code := plainGrade(rest, stdout, stderr, e)
		if code == 0 && strict {
			return failOnUnstarted(stderr, e)
		}
		return code
	}
	fmt.Fprintf(stderr, "workbook: unknown command %q\n\n%s", args[0], usage)
	return 2
}

// interactive reports whether stdin and stdout are both terminals.
func interactive() bool {
	return term.IsTerminal(os.Stdin.Fd()) && term.IsTerminal(os.Stdout.Fd())
}

func runTUI(e *env, stderr io.Writer) int {
	var g exercise.Grader = exercise.Checker{Root: e.root, Timeout: checkTimeout}
	app := NewApp(e.cat, &e.prog, e.progPath, g, e.notice)
	bench, cases, load, why := realFinale(e.root)
	if bench != nil {
		defer bench.Close()
		app.SetFinale(bench, cases, load, "")
	} else {
		app.SetFinale(nil, cases, load, why)
	}
	// Bubble Tea restores the terminal on a panic in Update, View or a
	// Cmd; the goroutines the app starts itself (demos, the file watcher)
	// recover on their own and report an error instead.
	p := tea.NewProgram(app)
	_, err := p.Run()
	app.closeAll()
	if err != nil {
		fmt.Fprintln(stderr, "workbook:", err)
		return 1
	}
	if app.interrupted {
		return exitInterrupted
	}
	return 0
}

// exitInterrupted is the exit code after ctrl+c: 128 + SIGINT, as a
// shell reports a program ended by it.
const exitInterrupted = 130
