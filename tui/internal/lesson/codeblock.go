package lesson

import (
	"fmt"
	"strings"

	"charm.land/glamour/v2"
	xansi "github.com/charmbracelet/x/ansi"
)

// Code blocks are never wrapped: a line of Go cut in the middle of an
// expression and continued at the left edge reads as two statements. So
// Render takes the fenced blocks out of the markdown before glamour wraps
// the prose (each leaves a placeholder paragraph), renders each block on
// its own without a wrap limit, and puts it back in the placeholder's
// place with every line cut at the window's edge, marked with codeCut.

// codeCut ends a code line cut at the right edge: the line goes on.
const codeCut = "…"

// codeToken is the placeholder paragraph of block n. Letters and digits
// only, so glamour leaves it as it is.
// Short, so that it never wraps.
func codeToken(n int) string { return fmt.Sprintf("WBCB%04dX", n) }

// splitCode returns md with each fenced code block replaced by its
// placeholder paragraph, and the blocks (fences included, dedented by the
// opening fence's indentation).
func splitCode(md string) (string, []string) {
	lines := strings.Split(md, "\n")
	var out, blocks []string
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		body := strings.TrimLeft(l, " ")
		indent := len(l) - len(body)
		fence := fenceOf(body)
		if fence == "" {
			out = append(out, l)
			continue
		}
		// Tabs become four spaces: a terminal would put a tab anywhere
		// up to eight columns on, and widths would not add up.
		block := []string{body}
		j := i + 1
		for ; j < len(lines); j++ {
			b := lines[j]
			// Drop up to indent spaces, as the fence's own.
			for k := 0; k < indent && strings.HasPrefix(b, " "); k++ {
				b = b[1:]
			}
			block = append(block, strings.ReplaceAll(b, "\t", "    "))
			if t := strings.TrimSpace(b); strings.HasPrefix(t, fence) && strings.Trim(t, fence[:1]) == "" {
				break
			}
		}
		if j == len(lines) {
			block = append(block, fence) // unclosed: it runs to the end, as in CommonMark
		}
		out = append(out, "", strings.Repeat(" ", indent)+codeToken(len(blocks)), "")
		blocks = append(blocks, strings.Join(block, "\n"))
		i = j
	}
	return strings.Join(out, "\n"), blocks
}

// fenceOf returns the fence (``` or ~~~, three or more) that opens a code
// block on this line, or "".
func fenceOf(s string) string {
	for _, c := range []string{"`", "~"} {
		n := len(s) - len(strings.TrimLeft(s, c))
		if n >= 3 && !(c == "`" && strings.Contains(s[n:], "`")) {
			return strings.Repeat(c, n)
		}
	}
	return ""
}

// renderBlocks renders each block with r (no wrap limit), as lines
// without glamour's padding and without the blank lines around them.
func renderBlocks(r *glamour.TermRenderer, blocks []string) ([][]string, error) {
	out := make([][]string, len(blocks))
	for i, b := range blocks {
		s, err := r.Render(b)
		if err != nil {
			return nil, err
		}
		lines := strings.Split(s, "\n")
		for j, l := range lines {
			// Cut the padding: keep what is left of the last visible
			// character.
			lines[j] = xansi.Truncate(l, xansi.StringWidth(strings.TrimRight(xansi.Strip(l), " ")), "")
		}
		for len(lines) > 0 && strings.TrimSpace(xansi.Strip(lines[0])) == "" {
			lines = lines[1:]
		}
		for len(lines) > 0 && strings.TrimSpace(xansi.Strip(lines[len(lines)-1])) == "" {
			lines = lines[:len(lines)-1]
		}
		out[i] = lines
	}
	return out, nil
}

// putBack replaces each placeholder line of the rendered prose with its
// block's lines: what stood before the placeholder (the margin, a list's
// indentation) stands before each line, less the margin the block was
// rendered with; every line is cut to width.
func putBack(rendered string, blocks [][]string, margin, width int) string {
	lines := strings.Split(rendered, "\n")
	out := make([]string, 0, len(lines))
	for _, l := range lines {
		plain := xansi.Strip(l)
		n, ok := tokenIn(plain, len(blocks))
		if !ok {
			out = append(out, l)
			continue
		}
		prefix := plain[:strings.Index(plain, codeToken(n))]
		if lead := strings.TrimLeft(prefix, " "); lead != "" {
			// glamour ran the placeholder into the text before it (a
			// list item's first paragraph): that text keeps its line,
			// and the block is indented under it.
			out = append(out, strings.TrimRight(prefix, " "))
			prefix = strings.Repeat(" ", len(prefix)-len(lead)+2)
		}
		extra := strings.TrimPrefix(prefix, strings.Repeat(" ", min(margin, len(prefix))))
		for _, bl := range blocks[n] {
			out = append(out, cutCode(extra+bl, width))
		}
	}
	return strings.Join(out, "\n")
}

// tokenIn finds which placeholder (of n) the line holds.
func tokenIn(plain string, n int) (int, bool) {
	i := strings.Index(plain, "WBCB")
	if i < 0 {
		return 0, false
	}
	var k int
	if _, err := fmt.Sscanf(plain[i:], "WBCB%04dX", &k); err != nil || k < 0 || k >= n {
		return 0, false
	}
	return k, true
}

// cutCode cuts a code line to width cells, ending it with codeCut when
// anything is lost.
func cutCode(l string, width int) string {
	if xansi.StringWidth(l) <= width {
		return l
	}
	return xansi.Truncate(l, max(width, 1), codeCut)
}
