package readfuture

import (
	"syscall"
	"testing"

	executor "asyncworkbook/phase1-executor"
	"asyncworkbook/phases/check"
	"asyncworkbook/phases/trace"
)

// traceFile is what the demo's kernel serves on fd 7.
const traceFile = "Completion I/O: the kernel writes into your buffer while you wait.\n"

// traceKernel is the tests' fake kernel, telling its story the way a real
// ring would (check.FakeRing: SQE prepared, one enter, CQEs reaped).
// When the executor parks it submits and completes every read in flight
// — a cancelled one with -ECANCELED, the cancel having won — writing
// traceFile into your buffer. Executor goroutine only.
type traceKernel struct {
	*fakeKernel // Result comes from the fake as it is
	ex          *executor.Executor
	ring        *check.FakeRing
	d           *check.Driver
}

func newTraceKernel(sink trace.Sink) *traceKernel {
	k := &traceKernel{fakeKernel: newFake()}
	k.d = check.NewDriver(func(int) { k.park() })
	k.ex = executor.New(executor.WithSink(sink), executor.WithDriver(k.d))
	k.ring = check.NewFakeRing(k.ex, 8)
	return k
}

func (k *traceKernel) Submit(req Request, w executor.Waker) uint64 {
	id := k.fakeKernel.Submit(req, w)
	k.ring.Prepare(w.TaskID(), "READ", req.Fd, id)
	return id
}

func (k *traceKernel) Cancel(id uint64, orphan func(int32)) {
	for _, op := range k.inFlight() {
		if op.id == id {
			k.ring.Cancel(id) // in flight: an ASYNC_CANCEL goes to the kernel
		}
	}
	k.fakeKernel.Cancel(id, orphan)
}

func (k *traceKernel) park() {
	k.ring.Submit(true)
	ops := k.inFlight() // in order of submission
	cancelled := map[uint64]bool{}
	for _, op := range ops {
		res := -int32(syscall.ECANCELED)
		if cancelled[op.id] = op.cancelled; !op.cancelled {
			res = int32(max(0, min(int(op.req.Len), len(traceFile)-int(op.req.Off))))
		}
		k.ring.Post(op.id, res)
	}
	k.ring.Reap(func(id uint64) bool { return cancelled[id] }, func(id uint64, res int32) {
		data := ""
		if res > 0 {
			data = traceFile[k.ops[id].req.Off:]
		}
		k.complete(id, res, data) // wakes the task, or calls the orphan function
	})
	k.d.Unpark()
}

// TestTraceDemo is "run mine" (m in the workbook's exercise view): your
// ReadAt reads a file in two pieces (the second a short read), then a
// reader is dropped with its read in flight and its CQE comes back to
// nobody. The kernel is the tests' fake; the ring events it traces show
// what your future asked of it. Skipped unless the workbook asks (it sets
// the trace file).
func TestTraceDemo(t *testing.T) {
	defer check.Guard(t, exercise)
	check.TraceDemo(t, func(sink trace.Sink) {
		k := newTraceKernel(sink)
		defer k.ex.Close()
		first, second := make([]byte, 48), make([]byte, 48)
		dropped := make([]byte, 48)
		_, err := executor.BlockOn(k.ex, executor.Async(func(a *executor.Awaiter) int {
			n := executor.Await(a, ReadAt(k, 7, first, 0)).Value
			h := executor.Spawn(k.ex, ReadAt(k, 7, dropped, 0), executor.WithName("dropped reader"))
			// Let the reader run: it submits its read.
			for i := 0; i < 3 && len(k.inFlight()) == 0; i++ {
				executor.Await(a, executor.YieldNow())
			}
			h.Cancel()
			executor.Await(a, executor.Future[executor.Result[executor.Result[int]]](h))
			return n + executor.Await(a, ReadAt(k, 7, second, int64(n))).Value
		}), executor.WithName("main"))
		check.NoError(t, err, "the demo's main task failed")
	})
}
