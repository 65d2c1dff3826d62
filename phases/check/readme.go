package check

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Readme is an exercise's README.md and HINTS.md, parsed (see the
// package comment for the format).
type Readme struct {
	Title  string   // the "# " heading
	Lesson string   // the lesson id from the "Lesson: " line
	Body   string   // the statement: everything after the Lesson line, trimmed
	Hints  []string // from HINTS.md: the text of "## Hint 1", "## Hint 2"..., trimmed, gentlest first
}

// HintsFile is the name of the file beside an exercise's README.md that
// holds its hints. The README keeps the task; the workbook reveals the
// hints one at a time.
const HintsFile = "HINTS.md"

// ParseReadme reads and parses the README at path, and the HINTS.md
// beside it.
func ParseReadme(path string) (Readme, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Readme{}, fmt.Errorf("check: %w", err)
	}
	r, err := parseReadme(b)
	if err != nil {
		return Readme{}, fmt.Errorf("check: %s: %w", path, err)
	}
	hpath := filepath.Join(filepath.Dir(path), HintsFile)
	hb, err := os.ReadFile(hpath)
	if err != nil {
		return Readme{}, fmt.Errorf("check: the hints: %w", err)
	}
	if r.Hints, err = parseHints(hb); err != nil {
		return Readme{}, fmt.Errorf("check: %s: %w", hpath, err)
	}
	return r, nil
}

// fenceTracker tells headings from lines inside fenced code blocks.
type fenceTracker struct{ fence string }

// heading reports whether line is a markdown heading outside any code block.
func (f *fenceTracker) heading(line string) bool {
	trimmed := strings.TrimLeft(line, " ")
	isFence := strings.HasPrefix(trimmed, "```") || strings.HasPrefix(trimmed, "~~~")
	heading := f.fence == "" && !isFence && strings.HasPrefix(line, "#")
	if isFence {
		switch {
		case f.fence == "":
			f.fence = trimmed[:3]
		case strings.HasPrefix(trimmed, f.fence) && strings.TrimSpace(trimmed[3:]) == "":
			f.fence = ""
		}
	}
	return heading
}

// parseHints reads HINTS.md: any preamble (a title, a note), then
// "## Hint 1", "## Hint 2"... numbered from 1, each with its text, and
// nothing else at level 1 or 2 after the first hint.
func parseHints(b []byte) ([]string, error) {
	var hints []string
	var cur strings.Builder
	in := false
	var ft fenceTracker
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	n := 0
	end := func() {
		if in {
			hints = append(hints, strings.TrimSpace(cur.String()))
			cur.Reset()
		}
	}
	for sc.Scan() {
		n++
		line := strings.TrimRight(sc.Text(), " \t\r")
		if ft.heading(line) {
			level := len(line) - len(strings.TrimLeft(line, "#"))
			if level == 2 {
				num, ok := strings.CutPrefix(strings.TrimSpace(line[2:]), "Hint ")
				k, err := strconv.Atoi(strings.TrimSpace(num))
				if !ok || err != nil {
					return nil, fmt.Errorf("line %d: want \"## Hint %d\", got %q", n, len(hints)+boolInt(in)+1, line)
				}
				end()
				if want := len(hints) + 1; k != want {
					return nil, fmt.Errorf("line %d: hints must be numbered 1, 2, 3...: want \"## Hint %d\", got %q", n, want, line)
				}
				in = true
				continue
			}
			if level < 2 && in {
				return nil, fmt.Errorf("line %d: %q after the hints began: only \"## Hint N\" sections follow", n, line)
			}
		}
		if in {
			cur.WriteString(line)
			cur.WriteByte('\n')
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	end()
	switch {
	case ft.fence != "":
		return nil, fmt.Errorf("a code block (%s) is never closed", ft.fence)
	case len(hints) == 0:
		return nil, fmt.Errorf("no \"## Hint 1\"")
	}
	for i, h := range hints {
		if h == "" {
			return nil, fmt.Errorf("hint %d is empty", i+1)
		}
	}
	return hints, nil
}

func parseReadme(b []byte) (Readme, error) {
	var r Readme
	const (
		wantTitle = iota
		wantLesson
		inBody
	)
	state := wantTitle
	var body strings.Builder
	var ft fenceTracker
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimRight(sc.Text(), " \t\r")
		heading := ft.heading(line)
		switch state {
		case wantTitle:
			if line == "" {
				continue
			}
			if !strings.HasPrefix(line, "# ") || strings.TrimSpace(line[2:]) == "" {
				return r, fmt.Errorf("line %d: want the title first, as \"# <title>\"; got %q", n, line)
			}
			r.Title = strings.TrimSpace(line[2:])
			state = wantLesson
		case wantLesson:
			if line == "" {
				continue
			}
			id, ok := strings.CutPrefix(line, "Lesson:")
			id = strings.TrimSpace(id)
			if !ok || id == "" || strings.ContainsAny(id, " \t") {
				return r, fmt.Errorf("line %d: want \"Lesson: <lesson id>\" right after the title; got %q", n, line)
			}
			r.Lesson = id
			state = inBody
		case inBody:
			if heading && strings.HasPrefix(line, "# ") {
				return r, fmt.Errorf("line %d: a second title (%q); use ## for sections", n, line)
			}
			if heading && (strings.TrimSpace(line) == "## Hints" || strings.HasPrefix(strings.TrimLeft(line, "# "), "Hint ")) {
				return r, fmt.Errorf("line %d: %q: the hints live in %s beside the README, which keeps the task (the workbook reveals them one at a time)", n, line, HintsFile)
			}
			body.WriteString(line)
			body.WriteByte('\n')
		}
	}
	if err := sc.Err(); err != nil {
		return r, err
	}
	switch {
	case state == wantTitle:
		return r, fmt.Errorf("no \"# <title>\" line")
	case state == wantLesson:
		return r, fmt.Errorf("no \"Lesson: <lesson id>\" line after the title")
	case ft.fence != "":
		return r, fmt.Errorf("a code block (%s) is never closed", ft.fence)
	}
	r.Body = strings.TrimSpace(body.String())
	if r.Body == "" {
		return r, fmt.Errorf("no statement after the Lesson line")
	}
	return r, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
