package check

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// Readme is an exercise's README.md, parsed (see the package comment for
// the format).
type Readme struct {
	Title  string   // the "# " heading
	Lesson string   // the lesson id from the "Lesson: " line
	Body   string   // the statement: everything between the Lesson line and "## Hints", trimmed
	Hints  []string // the text of "### Hint 1", "### Hint 2"..., trimmed, gentlest first
}

// ParseReadme reads and parses the README at path.
func ParseReadme(path string) (Readme, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Readme{}, fmt.Errorf("check: %w", err)
	}
	r, err := parseReadme(b)
	if err != nil {
		return Readme{}, fmt.Errorf("check: %s: %w", path, err)
	}
	return r, nil
}

func parseReadme(b []byte) (Readme, error) {
	var r Readme
	const (
		wantTitle = iota
		wantLesson
		inBody
		inHints
	)
	state := wantTitle
	var body, hint strings.Builder
	inHint := false
	fence := "" // the fence that opened the current code block, if any
	endHint := func() {
		if inHint {
			r.Hints = append(r.Hints, strings.TrimSpace(hint.String()))
			hint.Reset()
		}
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimRight(sc.Text(), " \t\r")
		trimmed := strings.TrimLeft(line, " ")
		isFence := strings.HasPrefix(trimmed, "```") || strings.HasPrefix(trimmed, "~~~")
		heading := fence == "" && !isFence && strings.HasPrefix(line, "#")
		if isFence {
			switch {
			case fence == "":
				fence = trimmed[:3]
			case strings.HasPrefix(trimmed, fence) && strings.TrimSpace(trimmed[3:]) == "":
				fence = ""
			}
		}
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
			if heading && strings.TrimSpace(line) == "## Hints" {
				state = inHints
				continue
			}
			body.WriteString(line)
			body.WriteByte('\n')
		case inHints:
			if heading {
				level := len(line) - len(strings.TrimLeft(line, "#"))
				if level <= 2 {
					return r, fmt.Errorf("line %d: %q after \"## Hints\": the hints must be the README's last section", n, line)
				}
				if level == 3 {
					num, ok := strings.CutPrefix(strings.TrimSpace(line[3:]), "Hint ")
					k, err := strconv.Atoi(strings.TrimSpace(num))
					if !ok || err != nil {
						return r, fmt.Errorf("line %d: want \"### Hint %d\", got %q", n, len(r.Hints)+boolInt(inHint)+1, line)
					}
					endHint()
					if want := len(r.Hints) + 1; k != want {
						return r, fmt.Errorf("line %d: hints must be numbered 1, 2, 3...: want \"### Hint %d\", got %q", n, want, line)
					}
					inHint = true
					continue
				}
			}
			if !inHint {
				if strings.TrimSpace(line) != "" {
					return r, fmt.Errorf("line %d: text after \"## Hints\" before \"### Hint 1\"", n)
				}
				continue
			}
			hint.WriteString(line)
			hint.WriteByte('\n')
		}
	}
	if err := sc.Err(); err != nil {
		return r, err
	}
	endHint()
	switch {
	case state == wantTitle:
		return r, fmt.Errorf("no \"# <title>\" line")
	case state == wantLesson:
		return r, fmt.Errorf("no \"Lesson: <lesson id>\" line after the title")
	case state == inBody:
		return r, fmt.Errorf("no \"## Hints\" section")
	case fence != "":
		return r, fmt.Errorf("a code block (%s) is never closed", fence)
	case len(r.Hints) == 0:
		return r, fmt.Errorf("\"## Hints\" has no \"### Hint 1\"")
	}
	for i, h := range r.Hints {
		if h == "" {
			return r, fmt.Errorf("hint %d is empty", i+1)
		}
	}
	r.Body = strings.TrimSpace(body.String())
	if r.Body == "" {
		return r, fmt.Errorf("no statement between the Lesson line and \"## Hints\"")
	}
	return r, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
