package lesson

import (
	"fmt"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"asyncworkbook/phases"
)

const longLine = `both := executor.Await(a, executor.Join[executor.Result[string]](users, orders)) // the end`

var codeDoc = "# Title\n\nSome prose that is long enough to wrap at forty columns, so that the prose still wraps while code does not.\n\n" +
	"```go\nfunc main() {\n\t" + longLine + "\n\tshort()\n}\n```\n\n" +
	"- a list item with code:\n\n  ```go\n  " + longLine + "\n  ```\n\nAfter.\n"

// TestCodeBlocksAreCutNotWrapped: at every width, in colour and without,
// a code line longer than the window is one line cut at the edge with a
// visible …, never continued on the next line; a line that fits is whole;
// prose still wraps; every line fits the width.
func TestCodeBlocksAreCutNotWrapped(t *testing.T) {
	for _, plain := range []bool{false, true} {
		for _, w := range []int{20, 40, 60, 80, 100, 120, 200} {
			t.Run(fmt.Sprintf("plain=%v/%d", plain, w), func(t *testing.T) {
				out := ansi.Strip(Render(codeDoc, w, true, plain))
				lines := strings.Split(out, "\n")
				starts, whole := 0, 0
				for i, l := range lines {
					if ansi.StringWidth(l) > w {
						t.Errorf("line %d is %d cells wide, window %d: %q", i, ansi.StringWidth(l), w, l)
					}
					if strings.Contains(l, "both :=") {
						starts++
						if strings.Contains(l, "// the end") {
							whole++
						} else if !strings.HasSuffix(strings.TrimRight(l, " "), codeCut) {
							t.Errorf("a cut code line does not end with %q: %q", codeCut, l)
						}
						if i+1 < len(lines) && strings.Contains(lines[i+1], "the end") {
							t.Errorf("the code line goes on on the next line (wrapped):\n%s\n%s", l, lines[i+1])
						}
					}
					if strings.Contains(l, "WBCB") {
						t.Errorf("a placeholder shows: %q", l)
					}
				}
				if starts != 2 {
					t.Fatalf("the long code line starts on %d lines, want 2 (one per block):\n%s", starts, out)
				}
				if fits := w >= len(longLine)+10; fits && whole != 2 {
					t.Errorf("at %d columns the %d-character line fits but is cut:\n%s", w, len(longLine), out)
				}
				if !strings.Contains(out, "short()") || !strings.Contains(out, "After.") {
					t.Errorf("text lost:\n%s", out)
				}
				if w <= 60 && strings.Contains(out, "Some prose that is long enough to wrap at forty columns, so that") {
					t.Errorf("the prose did not wrap at %d columns:\n%s", w, out)
				}
			})
		}
	}
}

// TestNoLessonCodeLineWrapsAt80 renders every lesson at 80 columns: each
// line of each fenced Go block appears whole or cut with …, never split.
func TestNoLessonCodeLineWrapsAt80(t *testing.T) {
	cat := phases.Default()
	for _, l := range cat.Lessons() {
		md, err := phases.LessonText(l)
		if err != nil {
			t.Fatal(err)
		}
		out := ansi.Strip(Render(md, 80, true, false))
		_, blocks := splitCode(md)
		for _, b := range blocks {
			for _, code := range strings.Split(b, "\n") {
				code = strings.TrimSpace(strings.ReplaceAll(code, "\t", "    "))
				if len(code) < 20 || strings.HasPrefix(code, "```") {
					continue
				}
				head := code[:20]
				if !strings.Contains(out, head) {
					t.Errorf("lesson %s: the code line %q is not on one line at 80 columns", l.ID, code)
				}
			}
		}
	}
}
