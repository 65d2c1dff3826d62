package phases

import (
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// sourceImporter type-checks imported packages from source, once per test
// binary: it caches what it loaded. Not safe for parallel tests.
var sourceImporter = sync.OnceValue(func() types.Importer {
	return importer.ForCompiler(token.NewFileSet(), "source", nil)
})

// The lessons' snippets must compile against the runtime as it is today:
// the runtime changes, and a lesson that teaches a name that is gone
// teaches nothing. Snippets written from the learner's side (they say
// `executor.X`) are type-checked here against the real package. Blocks
// without `executor.` are quotes of the runtime's own source, written
// inside the package; TestLessonGoBlocksParseAndAreGofmtClean covers them.
//
// A lesson's snippets are checked in order, as one program: declaration
// blocks accumulate, so a later block may use a type an earlier one
// declared, and statement blocks run inside a function where ex, cx, a
// and h are in scope, as the lessons assume.

const snippetHeader = `package snippet

import (
	executor "asyncworkbook/phase1-executor"
	"errors"
	"fmt"
	"sync"
	"time"
)

var (
	_ = errors.New
	_ = fmt.Sprint
	_ = time.Second
	_ sync.Mutex
)

// What statement snippets may assume is in scope.
var (
	ex *executor.Executor
	cx *executor.Context
	a  *executor.Awaiter
	h  executor.JoinHandle[int]
)
`

// phase2Header is snippetHeader plus what phase 2's snippets may assume:
// the iouring package and a reactor r. Phase 2 is Linux-only, so its
// snippets are type-checked on Linux only.
var phase2Header = strings.Replace(snippetHeader, "import (\n", `import (
	iouring "asyncworkbook/phase2-iouring"
	"asyncworkbook/phases/trace"
	"golang.org/x/sys/unix"
	"os"
	"path/filepath"
`, 1) + `
var (
	_ = unix.O_RDONLY
	_ = trace.SourceCompletion
	_ = os.Getenv
	_ = filepath.Join
	r *iouring.Reactor
)
`

// headerFor returns the declarations a phase's snippets are checked
// against, or false when they cannot be checked on this system.
func headerFor(p Phase) (string, bool) {
	switch p.ID {
	case "phase1":
		return snippetHeader, true
	case "phase2":
		return phase2Header, runtime.GOOS == "linux"
	case "phase4":
		return phase4Header, runtime.GOOS == "linux"
	}
	return snippetHeader, true
}

// isQuote reports whether a Go block quotes the runtime's own source
// rather than using it from outside: it opens with a "// quoted from"
// comment. Quotes are parsed and gofmt-checked, not type-checked (they
// live inside their package, where unexported names are in scope).
func isQuote(src string) bool {
	return strings.HasPrefix(strings.TrimSpace(src), "// quoted from ")
}

// typeCheck type-checks src and returns its errors, leaving out unused
// variables: a snippet may well compute a value just to show it.
func typeCheck(imp types.Importer, src string) []error {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "snippet.go", src, parser.SkipObjectResolution)
	if err != nil {
		return []error{err}
	}
	var errs []error
	conf := types.Config{
		Importer: imp,
		Error: func(err error) {
			if msg := err.Error(); !strings.Contains(msg, "declared and not used") &&
				!strings.Contains(msg, "imported and not used") {
				errs = append(errs, err)
			}
		},
	}
	_, _ = conf.Check("snippet", fset, []*ast.File{f}, nil)
	return errs
}

func TestLessonSnippetsCompileAgainstTheRuntime(t *testing.T) {
	if testing.Short() {
		t.Skip("type-checks the runtime and its imports from source")
	}
	imp := sourceImporter()
	for _, p := range Default().Phases {
		header, ok := headerFor(p)
		for _, l := range p.Lessons {
			t.Run(l.ID, func(t *testing.T) {
				if !ok {
					t.Skipf("%s's snippets need %s, which does not build on %s", p.ID, p.Folder, runtime.GOOS)
				}
				checkSnippets(t, imp, header, l)
			})
		}
	}
}

// checkSnippets type-checks one lesson's Go blocks, in order, as one
// program under header.
func checkSnippets(t *testing.T, imp types.Importer, header string, l Lesson) {
	t.Helper()
	text, err := LessonText(l)
	if err != nil {
		t.Fatal(err)
	}
	decls := ""
	for _, b := range codeBlocks(text) {
		if b.lang != "go" || isQuote(b.text) ||
			!(strings.Contains(b.text, "executor.") || strings.Contains(b.text, "iouring.") || strings.Contains(b.text, "pools.")) {
			continue
		}
		if strings.HasPrefix(strings.TrimSpace(b.text), "package ") {
			if errs := typeCheck(imp, b.text); len(errs) > 0 {
				t.Errorf("%s:%d: %v\n%s", l.File, b.line, errs, b.text)
			}
			continue
		}
		asDecls := typeCheck(imp, header+decls+b.text)
		if len(asDecls) == 0 {
			decls += b.text
			continue
		}
		asStmts := typeCheck(imp, header+decls+"func _() {\n"+b.text+"}\n")
		if len(asStmts) > 0 {
			errs := asStmts
			if parseSnippet("package p\n"+b.text) == nil {
				errs = asDecls // it is a declaration list: its errors say more
			}
			t.Errorf("%s:%d: go block does not compile against the runtime: %v\n%s", l.File, b.line, errs, b.text)
		}
	}
}

func TestTypeCheckCatchesANameTheRuntimeLacks(t *testing.T) {
	if testing.Short() {
		t.Skip("type-checks the runtime from source")
	}
	imp := sourceImporter()
	if errs := typeCheck(imp, snippetHeader+"func _() { v, err := executor.Run(executor.Ready(1)) }\n"); len(errs) > 0 {
		t.Fatalf("a valid snippet failed: %v", errs)
	}
	if errs := typeCheck(imp, snippetHeader+"func _() { executor.SpawnEverywhere(ex) }\n"); len(errs) == 0 {
		t.Fatal("a snippet calling a function the runtime lacks type-checked")
	}
	if runtime.GOOS != "linux" {
		return
	}
	if errs := typeCheck(imp, phase2Header+"func _() { s := executor.Await(a, iouring.Sleep(r, time.Millisecond)) }\n"); len(errs) > 0 {
		t.Fatalf("a valid phase-2 snippet failed: %v", errs)
	}
	if errs := typeCheck(imp, phase2Header+"func _() { iouring.SubmitEverything(r) }\n"); len(errs) == 0 {
		t.Fatal("a phase-2 snippet calling a function the runtime lacks type-checked")
	}
	if !isQuote("// quoted from reactor.go\nfunc f() {}\n") || isQuote("x := 1\n") {
		t.Fatal("isQuote misjudges a block")
	}
}
