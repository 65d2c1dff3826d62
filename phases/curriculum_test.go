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

// measuredClaim finds a figure that can only come from a measurement: a
// time in ns or µs (or "a microsecond"), a rate (IOPS, requests or round
// trips per second), or a cost in bytes per task.
var measuredClaim = regexp.MustCompile(`(?i)\d[\d.,]*(–\d[\d.,]*)?\s?(ns|µs|μs)\b|\b(a|one|\d+)\s+(micro|nano)seconds?\b|\d[\d.,]*\s?[kM]?\s?(IOPS|req/s|round trips/s)\b|\bcosts? (about )?(a hundred|\d+) bytes\b`)

// citedBenchmark is how a paragraph cites what measured its figure: a
// benchmark by name, or the go test -bench command.
var citedBenchmark = regexp.MustCompile(`Benchmark[A-Z][A-Za-z0-9_]*|-bench\b`)

// paragraphs returns a markdown text's paragraphs outside code blocks,
// with the line each starts on.
func paragraphs(md string) (out []struct {
	line int
	text string
}) {
	var cur strings.Builder
	start, n, fence := 0, 0, false
	flush := func() {
		if strings.TrimSpace(cur.String()) != "" {
			out = append(out, struct {
				line int
				text string
			}{start, cur.String()})
		}
		cur.Reset()
	}
	for line := range strings.Lines(md) {
		n++
		t := strings.TrimSpace(line)
		if strings.HasPrefix(t, "```") {
			fence = !fence
			flush()
			continue
		}
		if fence {
			continue
		}
		if t == "" {
			flush()
			continue
		}
		if cur.Len() == 0 {
			start = n
		}
		cur.WriteString(line)
	}
	flush()
	return out
}

// TestEveryNumericClaimCitesItsBenchmark: a lesson that says what
// something costs says how it was measured, in the same paragraph — a
// benchmark's name or the go test -bench command — and the benchmark it
// names exists.
func TestEveryNumericClaimCitesItsBenchmark(t *testing.T) {
	benchmarks := benchmarkNames(t)
	for _, l := range Default().Lessons() {
		text, err := LessonText(l)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range paragraphs(text) {
			claim := measuredClaim.FindString(p.text)
			cites := citedBenchmark.FindAllString(p.text, -1)
			if claim != "" && len(cites) == 0 {
				t.Errorf("%s:%d says %q without citing the benchmark that measures it (name it, e.g. `BenchmarkNop`, or give the `go test -bench` command)", l.File, p.line, claim)
			}
			for _, c := range cites {
				if c != "-bench" && !benchmarks[c] {
					t.Errorf("%s:%d cites %s, which no _test.go file in the module defines", l.File, p.line, c)
				}
			}
		}
	}
}

// benchmarkNames returns the names of every benchmark function in the
// module's test files.
func benchmarkNames(t *testing.T) map[string]bool {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	def := regexp.MustCompile(`(?m)^func (Benchmark[A-Z][A-Za-z0-9_]*)\(`)
	names := map[string]bool{}
	err = filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") || d.Name() == "bench") && path != root {
			return filepath.SkipDir
		}
		if !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range def.FindAllStringSubmatch(string(b), -1) {
			names[m[1]] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return names
}

func TestMeasuredClaimFindsCostsNotSizes(t *testing.T) {
	for s, want := range map[string]bool{
		"a NOP took 1.5–1.9 µs alone":           true,
		"about 200 ns":                          true,
		"climbs past a microsecond":             true,
		"1.05M IOPS":                            true,
		"tasks that cost about a hundred bytes": true,
		"an SQE is 64 bytes":                    false,
		"in 20 ms slices":                       false,
		"reads 4 KiB":                           false,
	} {
		if got := measuredClaim.MatchString(s); got != want {
			t.Errorf("measuredClaim(%q) = %v, want %v", s, got, want)
		}
	}
}
