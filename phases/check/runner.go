package check

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// DefaultTimeout is RunTests' time limit when it is given none: enough
// for a first build with -race on a slow machine.
const DefaultTimeout = 3 * time.Minute

// Option changes how RunTests runs an exercise's tests.
type Option func(*runConfig)

type runConfig struct {
	tree   Tree
	dir    string
	onTest func(TestResult)
	tags   []string
	race   bool
	run    string
	env    []string
	goCmd  string
}

// InTree runs the tests in tree (Exercises by default, or Solutions).
func InTree(tree Tree) Option { return func(c *runConfig) { c.tree = tree } }

// InDir runs the tests of the package in dir (relative to root, or
// absolute) instead of <tree>/<id>.
func InDir(dir string) Option { return func(c *runConfig) { c.dir = dir } }

// OnTest calls fn, on RunTests' goroutine, each time a test finishes.
func OnTest(fn func(TestResult)) Option { return func(c *runConfig) { c.onTest = fn } }

// WithTags passes -tags to go test (for instance "wrong", to run a
// solution's wrong fixture).
func WithTags(tags ...string) Option { return func(c *runConfig) { c.tags = tags } }

// WithRace runs the tests with the race detector.
func WithRace() Option { return func(c *runConfig) { c.race = true } }

// WithRun passes -run to go test.
func WithRun(pattern string) Option { return func(c *runConfig) { c.run = pattern } }

// WithEnv adds KEY=value pairs to the test's environment.
func WithEnv(kv ...string) Option { return func(c *runConfig) { c.env = append(c.env, kv...) } }

// WithGo runs this go command instead of the "go" found on PATH.
func WithGo(path string) Option { return func(c *runConfig) { c.goCmd = path } }

// RunTests runs `go test -json -count=1` on one exercise (by default the
// learner's copy, exercises/<id>) in a subprocess under root, the module
// root, and returns its Report. The subprocess and everything it started
// are killed when timeout (DefaultTimeout if <= 0) passes or ctx ends.
// strict sets WORKBOOK_STRICT=1 for the tests.
//
// A compile error, a panic, a deadlock or an endless loop in the code
// under test gives a Report, never an error. The error is for what
// prevents running at all (a bad id, no go command) and for ctx ending
// (the Report then holds what had run).
func RunTests(ctx context.Context, root, id string, timeout time.Duration, strict bool, opts ...Option) (Report, error) {
	cfg := runConfig{tree: Exercises, goCmd: "go"}
	for _, o := range opts {
		o(&cfg)
	}
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	rep := Report{ID: id, Tree: cfg.tree}
	var pkgDir string
	switch {
	case cfg.dir != "" && filepath.IsAbs(cfg.dir):
		pkgDir = cfg.dir
	case cfg.dir != "":
		pkgDir = filepath.Join(root, cfg.dir)
	default:
		if err := validID(id); err != nil {
			return rep, err
		}
		pkgDir = ExerciseDir(root, cfg.tree, id)
	}
	rep.Dir = pkgDir
	if st, err := os.Stat(pkgDir); err != nil || !st.IsDir() {
		return rep, fmt.Errorf("check: no exercise folder %s", pkgDir)
	}

	args := []string{"test", "-json", "-count=1", "-timeout=" + timeout.String()}
	if cfg.race {
		args = append(args, "-race")
	}
	if len(cfg.tags) > 0 {
		args = append(args, "-tags="+strings.Join(cfg.tags, ","))
	}
	if cfg.run != "" {
		args = append(args, "-run="+cfg.run)
	}
	args = append(args, ".")

	runCtx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(runCtx, cfg.goCmd, args...)
	cmd.Dir = pkgDir
	cmd.Env = testEnv(strict, cfg.env)
	ownProcessGroup(cmd)
	cmd.WaitDelay = 5 * time.Second
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return rep, fmt.Errorf("check: %w", err)
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return rep, fmt.Errorf("check: starting go test: %w", err)
	}
	p := newParser(cfg.onTest)
	p.read(stdout)
	waitErr := cmd.Wait()
	rep.Elapsed = time.Since(start)

	killed := runCtx.Err() != nil
	callerGone := ctx.Err() != nil
	p.finish(killed && !callerGone)
	rep.Tests = p.tests()
	rep.BuildOutput = p.build.String()
	rep.Output = p.pkgOut.String()
	if s := strings.TrimSpace(stderr.String()); s != "" {
		if rep.Output != "" && !strings.HasSuffix(rep.Output, "\n") {
			rep.Output += "\n"
		}
		rep.Output += s + "\n"
	}
	rep.Status = p.status(killed, waitErr != nil, rep.Output)
	if rep.Status == TimedOut && killed {
		rep.Output += fmt.Sprintf("killed after %v: the tests did not finish in time\n", timeout)
	}
	if callerGone {
		return rep, ctx.Err()
	}
	if waitErr != nil && !killed {
		var ee *exec.ExitError
		if !errors.As(waitErr, &ee) {
			return rep, fmt.Errorf("check: go test: %w", waitErr)
		}
	}
	return rep, nil
}

// testEnv is this process's environment, with the workbook's own
// variables replaced.
func testEnv(strict bool, extra []string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "WORKBOOK_STRICT=") || strings.HasPrefix(kv, TraceFileEnv+"=") {
			continue
		}
		env = append(env, kv)
	}
	if strict {
		env = append(env, "WORKBOOK_STRICT=1")
	} else {
		env = append(env, "WORKBOOK_STRICT=0")
	}
	return append(env, extra...)
}

// testEvent is one line of `go test -json` (see `go doc test2json`).
type testEvent struct {
	Action      string
	Package     string
	ImportPath  string
	Test        string
	Elapsed     float64
	Output      string
	FailedBuild string
}

// parser turns the JSON stream into results.
type parser struct {
	onTest      func(TestResult)
	order       []string
	byName      map[string]*TestResult
	build       strings.Builder
	pkgOut      strings.Builder
	buildFailed bool
	pkgFailed   bool
	noTests     bool
	timeoutMsg  bool
}

func newParser(onTest func(TestResult)) *parser {
	return &parser{onTest: onTest, byName: map[string]*TestResult{}}
}

func (p *parser) read(r io.Reader) {
	br := bufio.NewReaderSize(r, 64<<10)
	for {
		line, err := br.ReadBytes('\n')
		if len(bytes.TrimSpace(line)) > 0 {
			p.line(line)
		}
		if err != nil {
			return
		}
	}
}

func (p *parser) line(line []byte) {
	var e testEvent
	if line[0] != '{' || json.Unmarshal(line, &e) != nil {
		p.pkgOut.Write(line) // not JSON: go's own output
		return
	}
	switch e.Action {
	case "build-output":
		p.build.WriteString(e.Output)
		return
	case "build-fail":
		p.buildFailed = true
		return
	}
	if e.Test == "" {
		switch e.Action {
		case "output":
			if strings.Contains(e.Output, "[setup failed]") || strings.Contains(e.Output, "[build failed]") {
				p.buildFailed = true
			}
			if strings.Contains(e.Output, "panic: test timed out") {
				p.timeoutMsg = true
			}
			if strings.HasPrefix(e.Output, "?") && strings.Contains(e.Output, "[no test files]") {
				p.noTests = true
			}
			if !isFraming(e.Output) {
				p.pkgOut.WriteString(e.Output)
			}
		case "fail":
			p.pkgFailed = true
			if e.FailedBuild != "" {
				p.buildFailed = true
			}
		}
		return
	}
	tr := p.byName[e.Test]
	if tr == nil {
		tr = &TestResult{Name: e.Test}
		p.byName[e.Test] = tr
		p.order = append(p.order, e.Test)
	}
	switch e.Action {
	case "output":
		if strings.Contains(e.Output, "panic: test timed out") {
			p.timeoutMsg = true
		}
		if !isFraming(e.Output) {
			tr.Output += e.Output
		}
	case "pass", "fail", "skip":
		tr.Elapsed = time.Duration(e.Elapsed * float64(time.Second))
		switch e.Action {
		case "pass":
			tr.Status = Passed
		case "fail":
			tr.Status = Failed
		case "skip":
			tr.Status = Skipped
			if strings.Contains(tr.Output, NotStartedMarker+"open exercises/") {
				tr.Status = NotStarted
			}
		}
		if p.onTest != nil {
			p.onTest(*tr)
		}
	}
}

// isFraming reports go test's own lines around a test's output.
func isFraming(s string) bool {
	t := strings.TrimLeft(s, " ")
	for _, pre := range []string{"=== RUN", "=== PAUSE", "=== CONT", "=== NAME", "--- PASS", "--- FAIL", "--- SKIP"} {
		if strings.HasPrefix(t, pre) {
			return true
		}
	}
	return false
}

// finish marks the tests that never ended (the binary crashed or was
// killed) as failed.
func (p *parser) finish(killed bool) {
	for _, name := range p.order {
		tr := p.byName[name]
		if tr.Status != StatusUnknown {
			continue
		}
		tr.Status = Failed
		if killed {
			tr.Output += "(killed: the time limit was reached while this test ran)\n"
		}
		if p.onTest != nil {
			p.onTest(*tr)
		}
	}
}

func (p *parser) tests() []TestResult {
	out := make([]TestResult, 0, len(p.order))
	for _, name := range p.order {
		out = append(out, *p.byName[name])
	}
	return out
}

func (p *parser) status(killed, exitErr bool, output string) Status {
	switch {
	case killed || p.timeoutMsg:
		return TimedOut
	case p.buildFailed:
		return BuildFailed
	}
	var passed, failed, notStarted int
	for _, tr := range p.byName {
		switch tr.Status {
		case Passed:
			passed++
		case Failed:
			failed++
		case NotStarted:
			notStarted++
		}
	}
	switch {
	case failed > 0 || p.pkgFailed:
		return Failed
	case exitErr:
		if strings.Contains(output, "go: ") && len(p.byName) == 0 {
			return BuildFailed // go itself refused: no module, bad package path...
		}
		return Failed
	case notStarted > 0 && passed == 0:
		return NotStarted
	case notStarted > 0:
		return Failed // in progress: some pass, others not started
	case passed > 0:
		return Passed
	}
	return Failed // no test ran
}
