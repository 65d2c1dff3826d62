package check

import (
	"errors"
	"fmt"
	"reflect"
	"sync/atomic"
	"testing"

	executor "asyncworkbook/phase1-executor"
	"asyncworkbook/phases/trace"
)

// Executor returns a phase-1 executor that is closed when the test ends —
// unless Within abandoned code that may still be running it.
func Executor(t testing.TB, opts ...executor.Option) *executor.Executor {
	ex := executor.New(opts...)
	t.Cleanup(func() {
		if !Abandoned(t) {
			ex.Close()
		}
	})
	return ex
}

// BlockOn runs executor.BlockOn(ex, f) under Within and returns f's
// output. An error from BlockOn (the main task panicked or was cancelled)
// fails the test, or skips it if the panic was a TODO.
func BlockOn[T any](t testing.TB, ex *executor.Executor, f executor.Future[T]) T {
	t.Helper()
	type res struct {
		v   T
		err error
	}
	r := Within(t, func() res {
		v, err := executor.BlockOn(ex, f)
		return res{v, err}
	})
	NoError(t, r.err, "the main task failed")
	if nse := findNotStarted(reflect.ValueOf(r.v), 0); nse != nil {
		panic(nse) // a child task reached a TODO: its Result says so
	}
	return r.v
}

// Started re-panics (for Guard to skip the test) if one of errs says the
// learner has not started: a TODO reached in a task whose Result the test
// is looking at. BlockOn already does this for errors inside its output.
func Started(errs ...error) {
	for _, err := range errs {
		if nse, ok := asNotStarted(err); ok {
			panic(nse)
		}
	}
}

// findNotStarted looks through v (structs, slices, arrays, errors, a few
// levels deep) for an error wrapping a *NotStartedError.
func findNotStarted(v reflect.Value, depth int) *NotStartedError {
	if !v.IsValid() || depth > 4 {
		return nil
	}
	if v.Kind() == reflect.Interface {
		if v.IsNil() {
			return nil
		}
		if !v.CanInterface() {
			// Reached through an unexported field: reflect will not hand
			// the value out (Interface would panic). A *NotStartedError
			// can still be read through its pointer; anything else is
			// looked into.
			if e := v.Elem(); e.Type() == reflect.TypeFor[*NotStartedError]() {
				return (*NotStartedError)(e.UnsafePointer())
			}
			return findNotStarted(v.Elem(), depth+1)
		}
		if err, ok := v.Interface().(error); ok {
			if nse, ok := asNotStarted(err); ok {
				return nse
			}
			return nil
		}
		v = v.Elem()
	}
	switch v.Kind() {
	case reflect.Struct:
		for i := range v.NumField() {
			if nse := findNotStarted(v.Field(i), depth+1); nse != nil {
				return nse
			}
		}
	case reflect.Slice, reflect.Array:
		for i := range min(v.Len(), 64) {
			if nse := findNotStarted(v.Index(i), depth+1); nse != nil {
				return nse
			}
		}
	}
	return nil
}

func asPanicError(err error) *executor.PanicError {
	var pe *executor.PanicError
	if errors.As(err, &pe) {
		return pe
	}
	return nil
}

// ErrParked is the panic value of a Driver made by NoParking: the executor
// ran out of ready tasks while the test expected it never would.
var ErrParked = errors.New("the executor parked")

// ParkedError is what a NoParking driver panics with.
type ParkedError struct{ Explain string }

func (e *ParkedError) Error() string {
	return fmt.Sprintf("%v: no task was ready, and nothing outside the executor was going to wake one. %s", ErrParked, e.Explain)
}

func (e *ParkedError) Is(target error) bool { return target == ErrParked }

func (e *ParkedError) harnessFailure() {}

// Driver is an executor.Driver for tests: it parks like the phase-1
// ChanDriver, but first calls OnPark, if set, with the number of this park
// (from 1). OnPark runs on the executor's goroutine; if it panics, the
// panic leaves BlockOn (parking is outside the executor's panic net), so
// Within reports it.
type Driver struct {
	*executor.ChanDriver // everything but Park
	OnPark               func(n int)
	parks                atomic.Int64
	ex                   *executor.Executor // set by Attach, if the executor calls it
}

// Attach lets the executor introduce itself (see executor.Attacher), so
// that Park can tell a detached task that reached a TODO from a real
// hang.
func (d *Driver) Attach(ex *executor.Executor) { d.ex = ex }

// NewDriver returns a Driver calling onPark before each park.
func NewDriver(onPark func(n int)) *Driver {
	return &Driver{ChanDriver: executor.NewChanDriver(), OnPark: onPark}
}

// NoParking returns a Driver that fails the run the first time the
// executor parks: for tests in which every wake comes from inside the
// executor, parking means a task returned Pending that nobody will wake.
// explain is added to the failure message.
func NoParking(explain string) *Driver {
	return NewDriver(func(int) { panic(&ParkedError{Explain: explain}) })
}

// Park implements executor.Driver.
func (d *Driver) Park() string {
	n := int(d.parks.Add(1))
	if d.ex != nil {
		// A task that reached a TODO with nobody awaiting its handle
		// only shows in the stats; the executor then waits for nothing.
		if nse, ok := asNotStarted(d.ex.Stats().LastUnhandled); ok {
			panic(nse)
		}
	}
	if d.OnPark != nil {
		d.OnPark(n)
	}
	return d.ChanDriver.Park()
}

// Parks returns how many times the executor parked.
func (d *Driver) Parks() int { return int(d.parks.Load()) }

// Recorder returns a trace recorder whose events are printed (the last
// few hundred) if the test fails.
func Recorder(t testing.TB) *trace.Recorder {
	rec := trace.NewRecorder(1 << 14)
	t.Cleanup(func() {
		if _, ns := notStarted.Load(t); t.Failed() && !ns {
			t.Logf("the runtime's trace (task ids T1, T2... in spawn order):%s", Events(rec).Dump(300))
		}
	})
	return rec
}
