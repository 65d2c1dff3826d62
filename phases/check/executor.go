package check

import (
	"errors"
	"fmt"
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
	return r.v
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
}

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
