package phases

import (
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

// Keep the lessons in sync with the code they teach: these tests read the
// markdown the way a learner would and check what a compiler can check.

// codeBlock is one fenced block of a lesson.
type codeBlock struct {
	lang string
	line int // 1-based line of the opening fence
	text string
}

// codeBlocks returns the fenced code blocks of a markdown text.
func codeBlocks(md string) []codeBlock {
	var out []codeBlock
	var cur *codeBlock
	var b strings.Builder
	n := 0
	for line := range strings.Lines(md) {
		n++
		trimmed := strings.TrimRight(line, "\r\n")
		if cur == nil {
			if lang, ok := strings.CutPrefix(trimmed, "```"); ok {
				cur = &codeBlock{lang: strings.TrimSpace(lang), line: n}
				b.Reset()
			}
			continue
		}
		if trimmed == "```" {
			cur.text = b.String()
			out = append(out, *cur)
			cur = nil
			continue
		}
		b.WriteString(line)
	}
	return out
}

// section returns the lines of the "## title" section of md.
func section(md, title string) []string {
	var out []string
	in := false
	for line := range strings.Lines(md) {
		line = strings.TrimRight(line, "\r\n")
		if strings.HasPrefix(line, "## ") {
			in = strings.EqualFold(strings.TrimSpace(line[3:]), title)
			continue
		}
		if in {
			out = append(out, line)
		}
	}
	return out
}

// parseSnippet parses a Go block of a lesson: a whole file when it starts
// with "package", else a list of declarations, else a list of statements.
func parseSnippet(src string) error {
	fset := token.NewFileSet()
	if strings.HasPrefix(strings.TrimSpace(src), "package ") {
		_, err := parser.ParseFile(fset, "snippet.go", src, parser.SkipObjectResolution)
		return err
	}
	_, declErr := parser.ParseFile(fset, "snippet.go", "package p\n"+src, parser.SkipObjectResolution)
	if declErr == nil {
		return nil
	}
	_, stmtErr := parser.ParseFile(fset, "snippet.go", "package p; func _() {\n"+src+"\n}", parser.SkipObjectResolution)
	if stmtErr == nil {
		return nil
	}
	return declErr
}

func TestLessonGoBlocksParseAndAreGofmtClean(t *testing.T) {
	for _, l := range Default().Lessons() {
		t.Run(l.ID, func(t *testing.T) {
			text, err := LessonText(l)
			if err != nil {
				t.Fatal(err)
			}
			for _, b := range codeBlocks(text) {
				if b.lang != "go" {
					continue
				}
				if err := parseSnippet(b.text); err != nil {
					t.Errorf("%s:%d: go block does not parse: %v\n%s", l.File, b.line, err, b.text)
					continue
				}
				formatted, err := format.Source([]byte(b.text))
				if err != nil {
					t.Errorf("%s:%d: gofmt: %v", l.File, b.line, err)
				} else if string(formatted) != b.text {
					t.Errorf("%s:%d: go block is not gofmt-clean; gofmt gives:\n%s", l.File, b.line, formatted)
				}
			}
		})
	}
}

func TestLessonsHaveTheirSectionsAndLength(t *testing.T) {
	for _, l := range Default().Lessons() {
		t.Run(l.ID, func(t *testing.T) {
			text, err := LessonText(l)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range []string{"Watch it run", "Read the code"} {
				if len(section(text, s)) == 0 {
					t.Errorf("%s has no \"## %s\" section", l.File, s)
				}
			}
			if n := len(strings.Fields(text)); n < 300 || n > 900 {
				t.Errorf("%s has %d words, want 300 to 900", l.File, n)
			}
			for _, b := range codeBlocks(text) {
				if b.lang == "go" {
					continue // gofmt decides
				}
				for i, line := range strings.Split(b.text, "\n") {
					if w := utf8.RuneCountInString(line); w > 76 {
						t.Errorf("%s:%d: diagram line is %d columns, want at most 76", l.File, b.line+1+i, w)
					}
				}
			}
		})
	}
}

// runtimeNames returns the top-level names ("Spawn", "stateScheduled") and
// methods ("JoinHandle.Cancel") declared in the runtime folder.
func runtimeNames(t *testing.T, dir string) map[string]bool {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no Go files in %s (%v)", dir, err)
	}
	names := map[string]bool{}
	fset := token.NewFileSet()
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		af, err := parser.ParseFile(fset, f, src, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range af.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Recv == nil {
					names[d.Name.Name] = true
				} else {
					names[recvType(d.Recv.List[0].Type)+"."+d.Name.Name] = true
				}
			case *ast.GenDecl:
				for _, s := range d.Specs {
					switch s := s.(type) {
					case *ast.TypeSpec:
						names[s.Name.Name] = true
					case *ast.ValueSpec:
						for _, n := range s.Names {
							names[n.Name] = true
						}
					}
				}
			}
		}
	}
	return names
}

// recvType returns the type name of a method receiver: T for T, *T, T[X].
func recvType(e ast.Expr) string {
	for {
		switch x := e.(type) {
		case *ast.StarExpr:
			e = x.X
		case *ast.IndexExpr:
			e = x.X
		case *ast.IndexListExpr:
			e = x.X
		case *ast.Ident:
			return x.Name
		default:
			return ""
		}
	}
}

var (
	backticked = regexp.MustCompile("`([^`]+)`")
	identRef   = regexp.MustCompile(`^(executor\.)?[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$`)
)

// TestReadTheCodeNamesExist checks every `Name` and `Type.Method` that a
// lesson's "Read the code" list points to, in its phase's folder, or in
// phase1-executor when written `executor.Name`. File names (`task.go`)
// and other packages (`trace.Event`) are left alone.
func TestReadTheCodeNamesExist(t *testing.T) {
	c := Default()
	root := moduleRoot(t)
	// `executor.X` names phase 1's executor, which later phases build on.
	executorNames := runtimeNames(t, filepath.Join(root, "phase1-executor"))
	for _, p := range c.Phases {
		names := runtimeNames(t, filepath.Join(root, p.Folder))
		for _, l := range p.Lessons {
			text, err := LessonText(l)
			if err != nil {
				t.Fatal(err)
			}
			refs := 0
			for _, line := range section(text, "Read the code") {
				for _, m := range backticked.FindAllStringSubmatch(line, -1) {
					ref := m[1]
					if !identRef.MatchString(ref) || strings.HasPrefix(ref, "trace.") ||
						strings.HasSuffix(ref, ".go") || strings.HasSuffix(ref, ".md") || strings.HasSuffix(ref, ".txt") {
						continue
					}
					refs++
					if name, ok := strings.CutPrefix(ref, "executor."); ok {
						if !executorNames[name] {
							t.Errorf("%s: \"Read the code\" names `%s`, which phase1-executor does not declare", l.File, ref)
						}
					} else if !names[ref] {
						t.Errorf("%s: \"Read the code\" names `%s`, which %s does not declare", l.File, ref, p.Folder)
					}
				}
			}
			if refs == 0 {
				t.Errorf("%s: the \"Read the code\" list names no function, type or method", l.File)
			}
		}
	}
}

func TestSnippetHelpers(t *testing.T) {
	md := "# T\n\n```go\nx := 1\n```\n\n## Read the code\n\n- `a.go`: `F`\n\n## Next\n"
	bs := codeBlocks(md)
	if len(bs) != 1 || bs[0].lang != "go" || bs[0].text != "x := 1\n" || bs[0].line != 3 {
		t.Fatalf("codeBlocks = %+v", bs)
	}
	if err := parseSnippet(bs[0].text); err != nil {
		t.Fatalf("statement snippet: %v", err)
	}
	if err := parseSnippet("func f() {}\n"); err != nil {
		t.Fatalf("declaration snippet: %v", err)
	}
	if err := parseSnippet("func f( {\n"); err == nil {
		t.Fatal("a broken snippet parsed")
	}
	if s := section(md, "Read the code"); len(s) != 3 || s[1] != "- `a.go`: `F`" {
		t.Fatalf("section = %q", s)
	}
}
