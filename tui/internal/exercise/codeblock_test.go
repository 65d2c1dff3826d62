package exercise

import (
	"strings"
	"testing"

	"asyncworkbook/phases"
	"asyncworkbook/phases/check"
	"asyncworkbook/tui/internal/progress"
	"asyncworkbook/tui/internal/testkeys"
)

// codeFake's statement has a Go line longer than 80 columns.
type codeFake struct{ *fake }

const longCode = "got := check.BlockOn(t, ex, executor.Future[[]int](&Countdown{N: 3})) // the end of the line"

func (codeFake) Readme(string) (check.Readme, error) {
	return check.Readme{Title: "Code", Body: "Run this:\n\n```go\nfunc TestIt(t *testing.T) {\n\t" + longCode + "\n}\n```\n"}, nil
}

// TestStatementCodeIsCutNotWrapped: in the exercise view, at 80 and at 60
// columns, the long code line is one line cut with …, and at 120 it is
// whole.
func TestStatementCodeIsCutNotWrapped(t *testing.T) {
	for _, w := range []int{60, 80, 120} {
		g := codeFake{&fake{dir: t.TempDir()}}
		m := New(phases.Exercise{ID: "phase1/01-countdown", Title: "Code"}, g, &progress.Progress{})
		m.SetSize(w, 30)
		v := testkeys.Plain(m.View())
		m.Close()
		var line string
		for _, l := range strings.Split(v, "\n") {
			if strings.Contains(l, "got := check.BlockOn") {
				line = l
			}
			if strings.Contains(l, "the end of the line") && !strings.Contains(l, "got :=") {
				t.Fatalf("%d columns: the code line wrapped:\n%s", w, v)
			}
		}
		switch {
		case line == "":
			t.Fatalf("%d columns: the code line is not on screen:\n%s", w, v)
		case w < 110 && !strings.HasSuffix(strings.TrimRight(line, " "), "…"):
			t.Errorf("%d columns: the cut line has no …: %q", w, line)
		case w >= 110 && !strings.Contains(line, "the end of the line"):
			t.Errorf("%d columns: the line fits but is cut: %q", w, line)
		}
	}
}
