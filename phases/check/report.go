package check

import (
	"fmt"
	"strings"
	"time"
)

// Status is the outcome of one test or of a whole exercise.
type Status int

// Statuses. Skipped applies to single tests only (a TestTraceDemo run
// without its trace file); an exercise whose tests all skip for that kind
// of reason has no status of its own and counts as Failed ("no test ran").
const (
	StatusUnknown Status = iota
	Passed
	Failed
	Skipped
	NotStarted  // the learner's code still calls check.TODO()
	BuildFailed // the package or its tests do not compile
	TimedOut    // the run was killed at its time limit
)

var statusNames = [...]string{
	StatusUnknown: "unknown",
	Passed:        "passed",
	Failed:        "failed",
	Skipped:       "skipped",
	NotStarted:    "not started",
	BuildFailed:   "build failed",
	TimedOut:      "timed out",
}

// String returns the status in words: "passed", "not started"...
func (s Status) String() string {
	if s >= 0 && int(s) < len(statusNames) {
		return statusNames[s]
	}
	return fmt.Sprintf("status(%d)", int(s))
}

// TestResult is one test function (or subtest, named "TestX/sub").
type TestResult struct {
	Name    string
	Status  Status
	Output  string // what the test printed, without go test's framing lines
	Elapsed time.Duration
}

// Report is the outcome of running one exercise's tests.
//
// Status is
//   - TimedOut if the run hit its time limit (the tests that finished
//     before are in Tests; the one running is Failed with its output);
//   - BuildFailed if the package or its tests do not compile
//     (BuildOutput says why);
//   - Failed if a test failed or crashed, the test binary failed after
//     the tests (a goroutine leak check), no test ran at all, or some
//     tests pass while others are not started yet;
//   - NotStarted if no test passed and at least one is not started;
//   - Passed otherwise.
type Report struct {
	ID          string
	Tree        Tree
	Dir         string // the package's folder
	Status      Status
	Tests       []TestResult
	BuildOutput string // compiler errors, when Status is BuildFailed
	Output      string // output outside any test: a crash, a leak report, go's own errors
	Elapsed     time.Duration
}

// Count returns how many tests have status s.
func (r Report) Count(s Status) int {
	n := 0
	for _, tr := range r.Tests {
		if tr.Status == s {
			n++
		}
	}
	return n
}

// Summary describes the report in one line, such as
// "failed: 3 passed, 1 failed, 2 not started (1.2s)".
func (r Report) Summary() string {
	var parts []string
	for _, s := range []Status{Passed, Failed, NotStarted, Skipped} {
		if n := r.Count(s); n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, s))
		}
	}
	if len(parts) == 0 {
		parts = append(parts, "no tests ran")
	}
	return fmt.Sprintf("%s: %s (%s)", r.Status, strings.Join(parts, ", "), r.Elapsed.Round(time.Millisecond*100))
}

// Failure returns the text that best explains a report that did not
// pass: the compiler's errors, the first failing test's output, or the
// output outside tests.
func (r Report) Failure() string {
	switch r.Status {
	case Passed:
		return ""
	case BuildFailed:
		if r.BuildOutput != "" {
			return r.BuildOutput
		}
		return r.Output
	}
	for _, tr := range r.Tests {
		if tr.Status == Failed {
			return tr.Name + ":\n" + tr.Output
		}
	}
	for _, tr := range r.Tests {
		if tr.Status == NotStarted {
			return tr.Name + ":\n" + tr.Output
		}
	}
	return r.Output
}
