package check

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"testing"
)

// ErrNotStarted is what errors.Is finds in the error (or panic value) of a
// function the learner has not written yet.
var ErrNotStarted = errors.New("not started")

// NotStartedError is the panic value of TODO: it names the function that
// still has to be written.
type NotStartedError struct {
	Func string // the unfinished function, as "(*Countdown).Poll"
	File string // its file's base name, "countdown.go"
	Line int
}

// Error says which function is unfinished.
func (e *NotStartedError) Error() string {
	return "not started: " + e.Where() + " still calls check.TODO()"
}

// Is makes errors.Is(err, ErrNotStarted) true.
func (e *NotStartedError) Is(target error) bool { return target == ErrNotStarted }

// Where names the function and its place: "(*Countdown).Poll in countdown.go:21".
func (e *NotStartedError) Where() string {
	if e.File == "" {
		return e.Func
	}
	return fmt.Sprintf("%s in %s:%d", e.Func, e.File, e.Line)
}

// TODO marks a function the learner has to write: skeletons call it first
// thing, then return zero values so they compile. It panics with a
// *NotStartedError naming the calling function.
func TODO() {
	e := &NotStartedError{Func: "a function"}
	if pc, file, line, ok := runtime.Caller(1); ok {
		e.File, e.Line = filepath.Base(file), line
		if f := runtime.FuncForPC(pc); f != nil {
			e.Func = shortFuncName(f.Name())
		}
	}
	panic(e)
}

// shortFuncName turns "asyncworkbook/exercises/phase1/01-countdown.(*Countdown).Poll"
// into "(*Countdown).Poll".
func shortFuncName(full string) string {
	name := full
	if i := strings.LastIndex(name, "/"); i >= 0 {
		name = name[i+1:]
	}
	if i := strings.Index(name, "."); i >= 0 {
		name = name[i+1:]
	}
	// Generic instantiations show as "[...]".
	return strings.ReplaceAll(name, "[...]", "")
}

// Strict reports whether WORKBOOK_STRICT=1 (or "true"): not-started
// exercises then fail instead of skipping.
func Strict() bool {
	v := os.Getenv("WORKBOOK_STRICT")
	return v == "1" || strings.EqualFold(v, "true")
}

// NotStartedMarker starts the skip message of a not-started test; RunTests
// looks for it to tell "not started" from other skips.
const NotStartedMarker = "not started: "

// asNotStarted finds a *NotStartedError in a panic value or error.
func asNotStarted(v any) (*NotStartedError, bool) {
	switch v := v.(type) {
	case *NotStartedError:
		return v, true
	case error:
		var nse *NotStartedError
		if errors.As(v, &nse) {
			return nse, true
		}
	}
	return nil, false
}

// notStarted holds the tests Guard found not started: their trace is
// not worth printing.
var notStarted sync.Map // testing.TB → struct{}

// Failure is a panic value that fails the test with just its message (no
// stack): given code and test doubles use it, through Fail, to stop
// learner code that went wrong in a way they can see (a loop spinning, an
// executor parking for good).
type Failure struct{ Msg string }

func (f *Failure) Error() string { return f.Msg }

func (f *Failure) harnessFailure() {}

// harnessFailure is implemented by panic values that are verdicts of the
// harness rather than bugs: Guard prints their message only.
type harnessFailure interface {
	error
	harnessFailure()
}

// Fail panics with a *Failure carrying msg. Call it from code the test
// runs under Within (given code, a test double): Guard fails the test
// with msg.
func Fail(msg string) { panic(&Failure{Msg: msg}) }

// learnerPanic carries a panic from the goroutine Within ran the code on
// to the test's goroutine, with the stack where it happened.
type learnerPanic struct {
	value any
	stack []byte
}

// Guard is deferred first thing in every exercise test:
//
//	defer check.Guard(t, "phase1/01-countdown")
//
// It must be deferred directly (it calls recover). If the test panicked
// with a TODO (directly, through Within, or re-raised by NoError), the test
// is skipped with a message saying where to start — or failed when
// WORKBOOK_STRICT=1. Any other panic fails the test with its value and
// stack.
func Guard(t testing.TB, id string) {
	r := recover()
	if r == nil {
		return
	}
	t.Helper()
	if nse, ok := asNotStarted(r); ok {
		msg := fmt.Sprintf("%sopen exercises/%s/README.md and start with %s", NotStartedMarker, id, nse.Where())
		notStarted.Store(t, struct{}{})
		if Strict() {
			t.Fatalf("%s\n(WORKBOOK_STRICT=1: a not-started exercise counts as failed)", msg)
			return
		}
		t.Skip(msg)
		return
	}
	if f, ok := r.(harnessFailure); ok {
		t.Fatalf("%v", f)
		return
	}
	if lp, ok := r.(*learnerPanic); ok {
		if where := learnerFrameOf(lp.stack); where != "" {
			t.Fatalf("your code panicked at %s: %v\n\n%s", where, lp.value, lp.stack)
			return
		}
		t.Fatalf("your code panicked: %v\n\n%s", lp.value, lp.stack)
		return
	}
	t.Fatalf("panic: %v\n\n%s", r, debug.Stack())
}

// NoError fails the test if err is not nil — unless err says the learner
// has not started (a TODO reached inside a task, reported by the executor
// as a panic): then it re-panics so that Guard skips the test.
func NoError(t testing.TB, err error, what string) {
	t.Helper()
	if err == nil {
		return
	}
	if nse, ok := asNotStarted(err); ok {
		panic(nse)
	}
	t.Fatalf("%s: %v%s", what, err, panicStack(err))
}

// panicStack returns "\n\n<stack>" when err carries a panic's stack.
func panicStack(err error) string {
	var se interface{ PanicStack() []byte }
	if errors.As(err, &se) {
		return "\n\n" + string(se.PanicStack())
	}
	if pe := asPanicError(err); pe != nil && len(pe.Stack) > 0 {
		return "\n\n" + string(pe.Stack)
	}
	return ""
}
