package main

import (
	"fmt"
	"io"
	"strings"

	"asyncworkbook/tui/internal/progress"
)

// didYouMean returns `; did you mean "x"?` for the candidate that ends
// with the name given ("01-countdown" → "phase1/01-countdown"), or is
// one edit away; "" when none is close.
func didYouMean(name string, candidates []string) string {
	var hits []string
	for _, c := range candidates {
		if strings.HasSuffix(c, "/"+name) || strings.HasSuffix(c, name) && len(name) >= 4 {
			hits = append(hits, c)
		}
	}
	if len(hits) == 0 {
		for _, c := range candidates {
			if close1(name, c) {
				hits = append(hits, c)
			}
		}
	}
	switch len(hits) {
	case 0:
		return ""
	case 1:
		return fmt.Sprintf("; did you mean %q?", hits[0])
	}
	return fmt.Sprintf("; did you mean one of %s?", strings.Join(hits, ", "))
}

// close1 reports whether a and b are at most one edit apart.
func close1(a, b string) bool {
	if a == b {
		return true
	}
	if d := len(a) - len(b); d > 1 || d < -1 {
		return false
	}
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	j, k := len(a), len(b)
	for j > i && k > i && a[j-1] == b[k-1] {
		j--
		k--
	}
	return j-i <= 1 && k-i <= 1
}

// knownExercise checks `check <id>`'s id before the tests run: an id the
// catalogue does not have gets a suggestion and exit code 2.
func knownExercise(args []string, stderr io.Writer, e *env) (ok bool) {
	id := ""
	for i := 0; i < len(args); i++ {
		a := args[i]
		if strings.HasPrefix(a, "-") {
			if !strings.Contains(a, "=") && i+1 < len(args) && (a == "-timeout" || a == "--timeout") {
				i++ // the flag's value
			}
			continue
		}
		id = a
	}
	if id == "" {
		return true // plainCheck prints its usage
	}
	if _, found := e.cat.Exercise(id); found {
		return true
	}
	var ids []string
	for _, x := range e.cat.AllExercises() {
		ids = append(ids, x.ID)
	}
	fmt.Fprintf(stderr, "workbook: no exercise %q%s; `go run ./tui list` shows the ids\n", id, didYouMean(id, ids))
	return false
}

// takeFlag removes a boolean flag (given with one or two dashes) from
// args and reports whether it was there.
func takeFlag(args []string, name string) ([]string, bool) {
	var out []string
	found := false
	for _, a := range args {
		if a == "-"+name || a == "--"+name {
			found = true
			continue
		}
		out = append(out, a)
	}
	return out, found
}

// failOnUnstarted is the end of `grade --fail-on-unstarted`: exit 3 when
// the grade just recorded any exercise as not started.
func failOnUnstarted(stderr io.Writer, e *env) int {
	var ids []string
	for _, x := range e.cat.AllExercises() {
		if e.prog.Exercise(x.ID).Status == "not started" {
			ids = append(ids, x.ID)
		}
	}
	if len(ids) == 0 {
		return 0
	}
	fmt.Fprintf(stderr, "workbook: %d exercise(s) not started: %s\n", len(ids), strings.Join(ids, ", "))
	return 3
}

// saveQuietly writes the progress file, reporting only a failure.
func saveQuietly(stderr io.Writer, e *env) {
	if err := progress.Save(e.progPath, e.prog); err != nil {
		fmt.Fprintln(stderr, "workbook:", err)
	}
}
