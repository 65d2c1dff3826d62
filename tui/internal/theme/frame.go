package theme

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// Frame lays a screen out in exactly the w×h cells it has: every line cut
// to w, at most h lines. head, body and foot are lines (one string may
// hold several, split on "\n"). When they do not all fit, the first head
// line (the title) and the last foot line (the keys) are kept first, then
// as much of the body as fits, then the other head and foot lines; what
// is kept stays in order. So no screen ever draws outside the window, and
// the keys stay on screen however small it is.
func Frame(head, body, foot []string, w, h int) string {
	head, body, foot = splitAll(head), splitAll(body), splitAll(foot)
	if w < 1 || h < 1 {
		return ""
	}
	room := h
	take := func(n int) int {
		n = max(min(n, room), 0)
		room -= n
		return n
	}
	title := take(min(len(head), 1))
	keys := take(min(len(foot), 1))
	nBody := take(len(body))
	moreHead := take(len(head) - title)
	moreFoot := take(len(foot) - keys)

	out := make([]string, 0, h)
	out = append(out, head[:title+moreHead]...)
	out = append(out, body[:nBody]...)
	// The foot keeps its last lines (the keys, then what is just above).
	out = append(out, foot[len(foot)-keys-moreFoot:]...)
	for i, l := range out {
		out[i] = cut(l, w)
	}
	return strings.Join(out, "\n")
}

// cut truncates l to w cells, with "…" only when text is lost: a line
// that overflows only by padding (glamour pads its lines) is cut clean,
// so no column of "…" runs down the right edge.
func cut(l string, w int) string {
	if ansi.StringWidth(l) <= w {
		return l
	}
	if ansi.StringWidth(strings.TrimRight(ansi.Strip(l), " ")) <= w {
		return ansi.Truncate(l, w, "")
	}
	return ansi.Truncate(l, w, "…")
}

func splitAll(in []string) []string {
	var out []string
	for _, s := range in {
		out = append(out, strings.Split(s, "\n")...)
	}
	return out
}

// BodyRows is how many body lines a screen of h lines has room for, with
// head and foot lines around it: all of them when at least 3 body lines
// remain, else only the title and the keys (Frame drops the rest).
func BodyRows(h, head, foot int) int {
	if room := h - head - foot; room >= 3 {
		return room
	}
	return max(h-min(head, 1)-min(foot, 1), 1)
}
