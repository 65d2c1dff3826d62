package theme

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

func TestFrameKeepsTitleAndKeysWhenSmall(t *testing.T) {
	head := []string{"Title", "sub"}
	body := []string{"b1\nb2\nb3"}
	foot := []string{"status", "keys"}
	for h := 1; h <= 9; h++ {
		got := strings.Split(Frame(head, body, foot, 4, h), "\n")
		if len(got) != min(h, 7) {
			t.Fatalf("h=%d: %d lines %q", h, len(got), got)
		}
		for _, l := range got {
			if ansi.StringWidth(l) > 4 {
				t.Fatalf("h=%d: line %q wider than 4", h, l)
			}
		}
		if got[0] != "Tit…" {
			t.Errorf("h=%d: first line %q, want the title", h, got[0])
		}
		if h >= 2 && got[len(got)-1] != "keys" {
			t.Errorf("h=%d: last line %q, want the keys", h, got[len(got)-1])
		}
	}
	if got := Frame(head, body, foot, 10, 5); got != "Title\nb1\nb2\nb3\nkeys" {
		t.Errorf("h=5: %q", got)
	}
	if got := Frame(head, body, foot, 10, 6); got != "Title\nsub\nb1\nb2\nb3\nkeys" {
		t.Errorf("h=6: %q", got)
	}
}

func TestFrameCutsPaddingWithoutAnEllipsis(t *testing.T) {
	got := Frame(nil, []string{"\x1b[1mtext\x1b[m      ", "longer text here"}, nil, 8, 5)
	lines := strings.Split(ansi.Strip(got), "\n")
	if lines[0] != "text    " || lines[1] != "longer …" {
		t.Fatalf("%q", lines)
	}
}
