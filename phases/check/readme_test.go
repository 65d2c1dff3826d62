package check_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"asyncworkbook/phases/check"
)

func writeReadme(t *testing.T, readme, hints string) string {
	t.Helper()
	dir := t.TempDir()
	p := filepath.Join(dir, "README.md")
	if err := os.WriteFile(p, []byte(readme), 0o644); err != nil {
		t.Fatal(err)
	}
	if hints != "" {
		if err := os.WriteFile(filepath.Join(dir, check.HintsFile), []byte(hints), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return p
}

const goodReadme = "# A countdown\n\nLesson: p1-futures-poll\n\nDo the thing.\n\n```bash\n# not a heading\n## Hints\n```\n\n## Details\n\nMore.\n"

const goodHints = "# Hints: a countdown\n\nShown one at a time.\n\n## Hint 1\n\nGentle.\n\n## Hint 2\n\nExplicit:\n\n```go\n# also not a heading\n## Hint 9\n```\n"

func TestParseReadme(t *testing.T) {
	r, err := check.ParseReadme(writeReadme(t, goodReadme, goodHints))
	if err != nil {
		t.Fatal(err)
	}
	if r.Title != "A countdown" || r.Lesson != "p1-futures-poll" {
		t.Errorf("Title, Lesson = %q, %q", r.Title, r.Lesson)
	}
	if !strings.HasPrefix(r.Body, "Do the thing.") || !strings.Contains(r.Body, "# not a heading\n## Hints") || !strings.HasSuffix(r.Body, "More.") {
		t.Errorf("Body = %q", r.Body)
	}
	if len(r.Hints) != 2 || r.Hints[0] != "Gentle." || !strings.Contains(r.Hints[1], "# also not a heading") {
		t.Errorf("Hints = %q", r.Hints)
	}
}

func TestParseReadmeRejectsMalformedFiles(t *testing.T) {
	for name, tc := range map[string]struct{ readme, hints, want string }{
		"no title":        {"Lesson: x\n\nBody\n", goodHints, "title"},
		"no lesson":       {"# T\n\nBody\n", goodHints, "Lesson:"},
		"hints in readme": {"# T\nLesson: x\nBody\n## Hints\n### Hint 1\nh\n", goodHints, "HINTS.md"},
		"no hints file":   {"# T\nLesson: x\nBody\n", "", "HINTS.md"},
		"empty hints":     {"# T\nLesson: x\nBody\n", "# Hints\n", "Hint 1"},
		"hint numbering":  {"# T\nLesson: x\nBody\n", "## Hint 1\na\n## Hint 3\nb\n", "numbered"},
		"bad hint title":  {"# T\nLesson: x\nBody\n", "## Tip\na\n", "## Hint 1"},
		"empty hint":      {"# T\nLesson: x\nBody\n", "## Hint 1\n\n## Hint 2\nb\n", "hint 1 is empty"},
		"title after":     {"# T\nLesson: x\nBody\n", "## Hint 1\na\n# More\n", "only \"## Hint N\""},
		"open fence":      {"# T\nLesson: x\nBody\n", "## Hint 1\n```go\na\n", "never closed"},
		"open fence (r)":  {"# T\nLesson: x\nBody\n```go\n", goodHints, "never closed"},
		"no statement":    {"# T\nLesson: x\n", goodHints, "no statement"},
		"second title":    {"# T\nLesson: x\nBody\n# Again\n", goodHints, "second title"},
		"lesson with gap": {"# T\nLesson: two words\nBody\n", goodHints, "Lesson:"},
	} {
		t.Run(name, func(t *testing.T) {
			path := writeReadme(t, tc.readme, tc.hints)
			_, err := check.ParseReadme(path)
			if err == nil {
				t.Fatalf("no error for:\n%s\n----\n%s", tc.readme, tc.hints)
			}
			if !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), filepath.Dir(path)) {
				t.Fatalf("error %q does not mention %q and the file", err, tc.want)
			}
		})
	}
	if _, err := check.ParseReadme(filepath.Join(t.TempDir(), "missing.md")); err == nil {
		t.Fatal("no error for a missing file")
	}
}
