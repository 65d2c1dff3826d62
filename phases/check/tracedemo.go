package check

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"asyncworkbook/phases/trace"
)

// TraceFileEnv names the file an exercise's TestTraceDemo writes its
// trace to, as JSON lines. Unset, TestTraceDemo skips.
const TraceFileEnv = "WORKBOOK_TRACE_FILE"

// TraceDemo is the body of an exercise's TestTraceDemo:
//
//	func TestTraceDemo(t *testing.T) {
//		defer check.Guard(t, exercise)
//		check.TraceDemo(t, func(sink trace.Sink) { ...run a small scenario on the learner's code... })
//	}
//
// It skips unless WORKBOOK_TRACE_FILE is set; otherwise it runs demo under
// Within with a sink that writes each event to that file as a JSON line as
// soon as it happens (RunTraceDemo reads them while the test runs), in
// the order of their sequence numbers (see seqOrder).
func TraceDemo(t testing.TB, demo func(sink trace.Sink)) {
	t.Helper()
	path := os.Getenv(TraceFileEnv)
	if path == "" {
		t.Skipf("set %s=<file> to write this exercise's demo trace there (the workbook's \"run mine\" does)", TraceFileEnv)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		t.Fatalf("opening the trace file: %v", err)
	}
	defer f.Close()
	// No bufio: one write per event, so the reader sees events live.
	w := trace.NewJSONWriter(f)
	ordered := newSeqOrder(w)
	Within(t, func() struct{} { demo(ordered); return struct{}{} })
	ordered.flush()
	if err := w.Flush(); err != nil {
		t.Fatalf("writing the trace: %v", err)
	}
	if err := f.Close(); err != nil {
		t.Fatalf("closing the trace file: %v", err)
	}
}

// ErrNoTraceDemo is returned by RunTraceDemo for an exercise without a
// TestTraceDemo.
var ErrNoTraceDemo = errors.New("check: this exercise has no trace demo (TestTraceDemo)")

// RunError is RunTraceDemo's error when the demo's test did not pass.
type RunError struct{ Report Report }

func (e *RunError) Error() string {
	return fmt.Sprintf("check: %s: %s\n%s", e.Report.ID, e.Report.Status, strings.TrimSpace(e.Report.Failure()))
}

// Is makes errors.Is(err, ErrNotStarted) true when the demo did not run
// because the learner has not started.
func (e *RunError) Is(target error) bool {
	return target == ErrNotStarted && e.Report.Status == NotStarted
}

// tracePoll is how often RunTraceDemo looks at the trace file.
const tracePoll = 25 * time.Millisecond

// RunTraceDemo runs exercise id's TestTraceDemo (by default on the
// learner's copy; opts as for RunTests) in a subprocess and hands each
// trace event it writes to sink, on the calling goroutine, while the test
// runs. It returns nil if the demo ran to the end; a *RunError (for which
// errors.Is(err, ErrNotStarted) tells "not started") if the test did not
// pass; ErrNoTraceDemo if there is no such test; or an error reading the
// trace.
func RunTraceDemo(ctx context.Context, root, id string, timeout time.Duration, sink trace.Sink, opts ...Option) error {
	f, err := os.CreateTemp("", "workbook-trace-*.jsonl")
	if err != nil {
		return fmt.Errorf("check: trace file: %w", err)
	}
	path := f.Name()
	defer os.Remove(path)
	defer f.Close()

	type result struct {
		rep Report
		err error
	}
	done := make(chan result, 1)
	runOpts := append(append([]Option{}, opts...), WithRun("^TestTraceDemo$"), WithEnv(TraceFileEnv+"="+path))
	go func() {
		rep, err := RunTests(ctx, root, id, timeout, false, runOpts...)
		done <- result{rep, err}
	}()

	tail := &tailer{f: f, sink: sink}
	tick := time.NewTicker(tracePoll)
	defer tick.Stop()
	for {
		select {
		case <-tick.C:
			tail.poll()
		case r := <-done:
			tail.poll()
			tail.flushPartial()
			if r.err != nil {
				return r.err
			}
			if len(r.rep.Tests) == 0 && r.rep.Status != BuildFailed && r.rep.Status != TimedOut {
				return ErrNoTraceDemo
			}
			if r.rep.Status != Passed {
				return &RunError{Report: r.rep}
			}
			return tail.err
		}
	}
}

// tailer reads complete lines from a growing file and decodes them.
type tailer struct {
	f       *os.File
	sink    trace.Sink
	partial []byte
	line    int
	err     error
	buf     [32 << 10]byte
}

func (t *tailer) poll() {
	for {
		n, err := t.f.Read(t.buf[:])
		if n > 0 {
			t.partial = append(t.partial, t.buf[:n]...)
			if i := bytes.LastIndexByte(t.partial, '\n'); i >= 0 {
				t.deliver(t.partial[:i+1])
				t.partial = append(t.partial[:0], t.partial[i+1:]...)
			}
		}
		if err != nil || n == 0 {
			if err != nil && err != io.EOF && t.err == nil {
				t.err = fmt.Errorf("check: reading the trace: %w", err)
			}
			return
		}
	}
}

// flushPartial delivers a last line without its newline.
func (t *tailer) flushPartial() {
	if len(bytes.TrimSpace(t.partial)) > 0 {
		t.deliver(append(t.partial, '\n'))
	}
	t.partial = nil
}

func (t *tailer) deliver(lines []byte) {
	if t.err != nil {
		return
	}
	base := t.line
	t.line += bytes.Count(lines, []byte{'\n'})
	err := trace.ReadJSON(bytes.NewReader(lines), func(e trace.Event) error {
		t.sink.Event(&e)
		return nil
	})
	if err != nil {
		var le *trace.LineError
		if errors.As(err, &le) {
			err = &trace.LineError{Line: base + le.Line, Err: le.Err}
		}
		t.err = fmt.Errorf("check: the demo's trace: %w", err)
	}
}
