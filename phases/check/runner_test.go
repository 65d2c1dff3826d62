package check_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"asyncworkbook/phases/check"
	"asyncworkbook/phases/trace"
)

// throwaway builds a module in a temporary folder whose exercises/p/<name>
// packages import the real check package (replace asyncworkbook => the
// workbook), and returns its root.
func throwaway(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("runs go test in subprocesses")
	}
	root, err := check.FindRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	gomod := "module throwaway\n\ngo 1.26.8\n\nrequire asyncworkbook v0.0.0\n\nreplace asyncworkbook => " + root + "\n"
	write(t, dir, "go.mod", gomod)
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	write(t, dir, "go.sum", string(sum))
	readme := "# T\n\nLesson: l\n\nDo it.\n"
	hints := "# Hints\n\n## Hint 1\n\nA.\n\n## Hint 2\n\nB.\n"
	pkg := func(name, code, test string, withReadme bool) {
		write(t, dir, "exercises/p/"+name+"/x.go", "package x\n\n"+code)
		write(t, dir, "exercises/p/"+name+"/x_test.go", "package x\n\n"+test)
		if withReadme {
			write(t, dir, "exercises/p/"+name+"/README.md", readme)
			write(t, dir, "exercises/p/"+name+"/HINTS.md", hints)
		}
	}
	pkg("ok", "func Add(a, b int) int { return a + b }\n",
		`import (
	"testing"

	"asyncworkbook/phases/check"
)

func TestAdd(t *testing.T) {
	defer check.Guard(t, "p/ok")
	if Add(1, 2) != 3 {
		t.Fatal("bad")
	}
}

func TestAddZero(t *testing.T) {
	defer check.Guard(t, "p/ok")
	if Add(0, 0) != 0 {
		t.Fatal("bad")
	}
}
`, true)
	pkg("todo", "import \"asyncworkbook/phases/check\"\n\nfunc Add(a, b int) int {\n\tcheck.TODO()\n\treturn 0\n}\n",
		`import (
	"testing"

	"asyncworkbook/phases/check"
)

func TestAdd(t *testing.T) {
	defer check.Guard(t, "p/todo")
	if Add(1, 2) != 3 {
		t.Fatal("bad")
	}
}
`, true)
	pkg("broken", "func Add(a, b int) int { return \"three\" }\n",
		"import \"testing\"\n\nfunc TestAdd(t *testing.T) { Add(1, 2) }\n", true)
	pkg("stuck", "func Wait(c chan int) int { return <-c }\n",
		`import (
	"testing"

	"asyncworkbook/phases/check"
)

func TestWait(t *testing.T) {
	defer check.Guard(t, "p/stuck")
	check.Within(t, func() int { return Wait(make(chan int)) })
}

func TestWaitAgain(t *testing.T) {
	defer check.Guard(t, "p/stuck")
	check.Within(t, func() int { return Wait(make(chan int)) })
}
`, false)
	pkg("crash", "func Boom() { go func() { panic(\"boom from a goroutine\") }() ; select {} }\n",
		"import \"testing\"\n\nfunc TestFine(t *testing.T) {}\n\nfunc TestBoom(t *testing.T) { Boom() }\n", false)
	pkg("hang", "func Spin() { for {} }\n",
		"import \"testing\"\n\nfunc TestSpin(t *testing.T) { Spin() }\n", false)
	pkg("demo", "",
		`import (
	"testing"

	"asyncworkbook/phases/check"
	"asyncworkbook/phases/trace"
)

func TestOther(t *testing.T) { t.Fatal("TestTraceDemo runs alone") }

func TestTraceDemo(t *testing.T) {
	defer check.Guard(t, "p/demo")
	check.TraceDemo(t, func(sink trace.Sink) {
		for i := range 3 {
			sink.Event(&trace.Event{Seq: uint64(i + 1), Exec: 1, Task: 1, Kind: trace.PollStarted})
		}
	})
}
`, false)
	pkg("demotodo", "import \"asyncworkbook/phases/check\"\n\nfunc Loop() { check.TODO() }\n",
		`import (
	"testing"

	"asyncworkbook/phases/check"
	"asyncworkbook/phases/trace"
)

func TestTraceDemo(t *testing.T) {
	defer check.Guard(t, "p/demotodo")
	check.TraceDemo(t, func(trace.Sink) { Loop() })
}
`, false)
	return dir
}

func write(t *testing.T, dir, rel, text string) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// offline keeps the subprocess from looking for modules on the network
// and lets it complete the throwaway go.mod.
var offline = check.WithEnv("GOFLAGS=-mod=mod -buildvcs=false", "GOPROXY=off", "WORKBOOK_DEADLINE=300ms")

func TestRunTests(t *testing.T) {
	root := throwaway(t)
	ctx := context.Background()
	run := func(t *testing.T, id string, timeout time.Duration, strict bool, opts ...check.Option) check.Report {
		t.Helper()
		rep, err := check.RunTests(ctx, root, id, timeout, strict, append([]check.Option{offline}, opts...)...)
		if err != nil {
			t.Fatalf("RunTests(%s): %v", id, err)
		}
		return rep
	}
	t.Run("passed, with progress", func(t *testing.T) {
		var mu sync.Mutex
		var seen []string
		rep := run(t, "p/ok", time.Minute, false, check.OnTest(func(r check.TestResult) {
			mu.Lock()
			seen = append(seen, r.Name+"="+r.Status.String())
			mu.Unlock()
		}))
		if rep.Status != check.Passed || len(rep.Tests) != 2 {
			t.Fatalf("report %s, tests %+v\n%s", rep.Summary(), rep.Tests, rep.Output)
		}
		if strings.Join(seen, ",") != "TestAdd=passed,TestAddZero=passed" {
			t.Errorf("progress callback saw %v", seen)
		}
	})
	t.Run("not started", func(t *testing.T) {
		rep := run(t, "p/todo", time.Minute, false)
		if rep.Status != check.NotStarted || rep.Tests[0].Status != check.NotStarted || !strings.Contains(rep.Tests[0].Output, "exercises/p/todo/README.md") {
			t.Fatalf("report %s, tests %+v", rep.Summary(), rep.Tests)
		}
	})
	t.Run("not started, strict", func(t *testing.T) {
		rep := run(t, "p/todo", time.Minute, true)
		if rep.Status != check.Failed || rep.Tests[0].Status != check.Failed {
			t.Fatalf("report %s, tests %+v", rep.Summary(), rep.Tests)
		}
	})
	t.Run("compile error", func(t *testing.T) {
		rep := run(t, "p/broken", time.Minute, false)
		if rep.Status != check.BuildFailed || !strings.Contains(rep.BuildOutput, "x.go:3") || !strings.Contains(rep.Failure(), "three") {
			t.Fatalf("report %s\nbuild output: %s\noutput: %s", rep.Summary(), rep.BuildOutput, rep.Output)
		}
	})
	t.Run("deadlock under Within", func(t *testing.T) {
		rep := run(t, "p/stuck", time.Minute, false)
		if rep.Status != check.Failed || !strings.Contains(rep.Failure(), "did not finish in 0.3 s") || !strings.Contains(rep.Failure(), "It looks like a deadlock") {
			t.Fatalf("report %s\n%s", rep.Summary(), rep.Failure())
		}
		// The first time-out stops the run: the second test skips
		// instead of waiting its own 0.3 s for the same bug.
		if rep.Count(check.Failed) != 1 || rep.Count(check.Skipped) != 1 {
			t.Fatalf("after a time-out: %d failed, %d skipped, want 1 and 1: %+v", rep.Count(check.Failed), rep.Count(check.Skipped), rep.Tests)
		}
	})
	t.Run("panic on a goroutine", func(t *testing.T) {
		rep := run(t, "p/crash", time.Minute, false)
		if rep.Status != check.Failed || !strings.Contains(rep.Failure(), "boom from a goroutine") {
			t.Fatalf("report %s, tests %+v\n%s", rep.Summary(), rep.Tests, rep.Output)
		}
		if rep.Count(check.Passed) != 1 {
			t.Errorf("the test that passed before the crash is not reported: %+v", rep.Tests)
		}
	})
	t.Run("endless loop is killed", func(t *testing.T) {
		start := time.Now()
		rep := run(t, "p/hang", 4*time.Second, false)
		if rep.Status != check.TimedOut {
			t.Fatalf("report %s\n%s", rep.Summary(), rep.Output)
		}
		if d := time.Since(start); d > 20*time.Second {
			t.Errorf("RunTests took %v with a 4s limit", d)
		}
	})
	t.Run("solutions tree and bad ids", func(t *testing.T) {
		if _, err := check.RunTests(ctx, root, "p/ok", time.Minute, false, check.InTree(check.Solutions)); err == nil {
			t.Error("no error for a missing solutions folder")
		}
		if _, err := check.RunTests(ctx, root, "../p", time.Minute, false); err == nil {
			t.Error("no error for an id leaving the tree")
		}
	})
}

func TestRunTraceDemo(t *testing.T) {
	root := throwaway(t)
	ctx := context.Background()
	rec := trace.NewRecorder(16)
	if err := check.RunTraceDemo(ctx, root, "p/demo", time.Minute, rec, offline); err != nil {
		t.Fatal(err)
	}
	if n := rec.Len(); n != 3 {
		t.Fatalf("the sink got %d events, want 3: %v", n, rec.Events())
	}
	err := check.RunTraceDemo(ctx, root, "p/demotodo", time.Minute, trace.NewRecorder(1), offline)
	if !errors.Is(err, check.ErrNotStarted) {
		t.Fatalf("a not-started demo gave %v, want ErrNotStarted", err)
	}
	err = check.RunTraceDemo(ctx, root, "p/ok", time.Minute, trace.NewRecorder(1), offline)
	if !errors.Is(err, check.ErrNoTraceDemo) {
		t.Fatalf("an exercise without a demo gave %v, want ErrNoTraceDemo", err)
	}
}

func TestGrade(t *testing.T) {
	root := throwaway(t)
	rows, err := check.Grade(context.Background(), root, nil, time.Minute, offline)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]check.Status{}
	for _, r := range rows {
		got[r.ID] = r.Status
	}
	want := map[string]check.Status{"p/ok": check.Passed, "p/todo": check.NotStarted, "p/broken": check.BuildFailed}
	if len(got) != len(want) {
		t.Fatalf("graded %v, want %v", got, want)
	}
	for id, s := range want {
		if got[id] != s {
			t.Errorf("%s: %s, want %s", id, got[id], s)
		}
	}
	table := check.FormatGrade(rows)
	if !strings.Contains(table, "p/todo") || !strings.Contains(table, "not started") {
		t.Errorf("table:\n%s", table)
	}
}
