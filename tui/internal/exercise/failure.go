package exercise

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// collapsedLines is how many lines of a test's output show before enter
// expands it.
const collapsedLines = 8

// yourFrames finds, in a test's output, the stack frames that are in the
// learner's own files: exercises/<...>/x.go, not a _test.go. A Go stack
// frame is a function line followed by a tab-indented "path:line +0x.."
// line. They come back as "countdown.go:19 in (*Countdown).Poll",
// innermost first (the order of the stack).
func yourFrames(out string) []string {
	lines := strings.Split(out, "\n")
	var frames []string
	for i := 1; i < len(lines); i++ {
		loc := strings.TrimSpace(lines[i])
		if !strings.HasPrefix(lines[i], "\t") && !strings.HasPrefix(lines[i], "    \t") {
			continue
		}
		file, _, _ := strings.Cut(loc, " +0x")
		path, _, ok := strings.Cut(file, ".go:")
		if !ok || !strings.Contains(filepath.ToSlash(path), "/exercises/") || strings.HasSuffix(path, "_test") {
			continue
		}
		fn := strings.TrimSpace(lines[i-1])
		if j := strings.LastIndex(fn, "("); j > 0 && strings.HasSuffix(fn, ")") {
			fn = fn[:j] // drop the arguments
		}
		if j := strings.LastIndex(fn, "/"); j >= 0 {
			fn = fn[j+1:] // drop the import path
		}
		if _, rest, ok := strings.Cut(fn, "."); ok {
			fn = rest // drop the package name
		}
		frames = append(frames, fmt.Sprintf("%s in %s", filepath.Base(file), fn))
	}
	return frames
}

// failureText is a failed test's output as the learner reads it: when it
// holds a stack, the frames in their own code first.
func failureText(out string) string {
	out = strings.TrimRight(out, "\n")
	frames := yourFrames(out)
	if len(frames) == 0 {
		return out
	}
	var b strings.Builder
	b.WriteString("Your code, where it happened (innermost first):\n")
	for _, f := range frames {
		b.WriteString("  " + f + "\n")
	}
	b.WriteString("\n" + out)
	return b.String()
}

// wrapText wraps s to width w (words where it can, hard-wrapping long
// paths), keeping its line breaks: the indentation all lines share is
// dropped, and a wrapped line's continuation keeps its own indentation.
// Tabs become four spaces.
func wrapText(s string, w int) []string {
	lines := strings.Split(strings.ReplaceAll(s, "\t", "    "), "\n")
	common := -1
	for _, l := range lines {
		if strings.TrimSpace(l) == "" {
			continue
		}
		if n := len(l) - len(strings.TrimLeft(l, " ")); common < 0 || n < common {
			common = n
		}
	}
	var out []string
	for _, l := range lines {
		if len(l) >= common && common > 0 {
			l = l[common:]
		}
		rest := strings.TrimLeft(l, " ")
		indent := l[:len(l)-len(rest)]
		if len(indent) > w/2 {
			indent = indent[:w/2]
		}
		for _, part := range strings.Split(ansi.Wrap(rest, max(w-len(indent), 10), " /"), "\n") {
			out = append(out, indent+part)
		}
	}
	return out
}
