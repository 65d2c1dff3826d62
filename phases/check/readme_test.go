package check_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"asyncworkbook/phases/check"
)

func writeReadme(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "README.md")
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

const goodReadme = "# A countdown\n\nLesson: p1-futures-poll\n\nDo the thing.\n\n```bash\n# not a heading\n## Hints\n```\n\n## Details\n\nMore.\n\n## Hints\n\n### Hint 1\n\nGentle.\n\n### Hint 2\n\nExplicit:\n\n```go\n# also not a heading\n```\n"

func TestParseReadme(t *testing.T) {
	r, err := check.ParseReadme(writeReadme(t, goodReadme))
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
	for name, tc := range map[string]struct{ text, want string }{
		"no title":        {"Lesson: x\n\nBody\n## Hints\n### Hint 1\nh\n", "title"},
		"no lesson":       {"# T\n\nBody\n## Hints\n### Hint 1\nh\n", "Lesson:"},
		"no hints":        {"# T\nLesson: x\n\nBody\n", "no \"## Hints\""},
		"empty hints":     {"# T\nLesson: x\nBody\n## Hints\n", "Hint 1"},
		"hint numbering":  {"# T\nLesson: x\nBody\n## Hints\n### Hint 1\na\n### Hint 3\nb\n", "numbered"},
		"bad hint title":  {"# T\nLesson: x\nBody\n## Hints\n### Tip\na\n", "### Hint 1"},
		"empty hint":      {"# T\nLesson: x\nBody\n## Hints\n### Hint 1\n\n### Hint 2\nb\n", "hint 1 is empty"},
		"section after":   {"# T\nLesson: x\nBody\n## Hints\n### Hint 1\na\n## More\n", "last section"},
		"open fence":      {"# T\nLesson: x\nBody\n## Hints\n### Hint 1\n```go\na\n", "never closed"},
		"no statement":    {"# T\nLesson: x\n## Hints\n### Hint 1\na\n", "no statement"},
		"second title":    {"# T\nLesson: x\nBody\n# Again\n## Hints\n### Hint 1\na\n", "second title"},
		"text before h1":  {"# T\nLesson: x\nBody\n## Hints\nstray\n### Hint 1\na\n", "before \"### Hint 1\""},
		"lesson with gap": {"# T\nLesson: two words\nBody\n## Hints\n### Hint 1\na\n", "Lesson:"},
	} {
		t.Run(name, func(t *testing.T) {
			path := writeReadme(t, tc.text)
			_, err := check.ParseReadme(path)
			if err == nil {
				t.Fatalf("no error for:\n%s", tc.text)
			}
			if !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), path) {
				t.Fatalf("error %q does not mention %q and the file", err, tc.want)
			}
		})
	}
	if _, err := check.ParseReadme(filepath.Join(t.TempDir(), "missing.md")); err == nil {
		t.Fatal("no error for a missing file")
	}
}
