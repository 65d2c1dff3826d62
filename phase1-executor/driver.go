package executor

// Driver is the executor's other seam: what it does when no task is ready.
// It parks the executor's goroutine until something may have made a task
// ready, and is unparked by whoever did.
//
// Phase 1's driver only waits for wakeups from other goroutines. Phase 2's
// is the io_uring reactor: parking becomes an io_uring_enter that waits for
// a completion. Phase 3's adds an eventfd so another thread can cut that
// wait short.
type Driver interface {
	// Park blocks until Unpark is called, and returns why it woke, in a
	// few words for the trace. An Unpark that came before Park makes Park
	// return at once: a wakeup is never lost. Executor goroutine only.
	Park() (reason string)
	// Unpark wakes a Park in progress, or the next one. Any goroutine.
	Unpark()
	// Poll does the driver's work without blocking, once in every loop
	// turn that does not park (phase 2 submits the turn's SQEs and reaps
	// CQEs here). Executor goroutine only.
	Poll()
}

// Failer is implemented by drivers that can fail for good — phase 2's
// reactor, when io_uring_enter returns an error retrying will not cure.
// After every Park and Poll the executor asks Err; once it is non-nil the
// executor stops (it would otherwise spin on a driver that never waits)
// and BlockOn returns that error, wrapped. Executor goroutine only.
type Failer interface {
	Err() error
}

// Attacher is implemented by drivers that need their executor — to trace
// through it, or to know their tasks' executor. New calls Attach once,
// before the executor runs.
type Attacher interface {
	Attach(ex *Executor)
}

// ChanDriver is the phase-1 driver: the executor sleeps receiving from a
// one-slot channel and Unpark drops a token into it. The Go runtime parks
// the goroutine, so an idle executor costs no CPU.
//
// Unpark is safe from any goroutine; Park only from the executor's. Use
// NewChanDriver: the zero value is not usable.
type ChanDriver struct {
	token chan struct{} // capacity 1: at most one pending wakeup
}

// NewChanDriver returns a ChanDriver with no pending wakeup.
func NewChanDriver() *ChanDriver {
	return &ChanDriver{token: make(chan struct{}, 1)}
}

// Park waits for a token.
func (d *ChanDriver) Park() string {
	<-d.token
	return "woken"
}

// Poll does nothing: the phase-1 driver has no work of its own.
func (d *ChanDriver) Poll() {}

// Unpark leaves a token unless one is already waiting: two Unparks before
// a Park wake it once, which is all it needs.
func (d *ChanDriver) Unpark() {
	select {
	case d.token <- struct{}{}:
	default:
	}
}
