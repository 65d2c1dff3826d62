package readfuture

import (
	"slices"
	"syscall"
	"testing"
	"unsafe"

	executor "asyncworkbook/phase1-executor"
	"asyncworkbook/phases/check"
	"asyncworkbook/phases/trace"
)

// traceFile is what the demo's fake kernel serves on fd 7.
const traceFile = "Completion I/O: the kernel writes into your buffer while you wait.\n"

// traceKernel is a Submitter for "run mine": a fake kernel that serves
// reads of traceFile and tells the story the way a real ring would
// (check.FakeRing: SQE prepared, one enter, CQEs reaped). When the
// executor parks it submits, completes every read in flight — a
// cancelled one with -ECANCELED, the cancel having won — and reaps.
// Executor goroutine only.
type traceKernel struct {
	ex   *executor.Executor
	ring *check.FakeRing
	d    *check.Driver
	next uint64
	ops  map[uint64]*traceOp
}

type traceOp struct {
	req       Request
	w         executor.Waker
	done      bool
	res       int32
	cancelled bool
	orphan    func(int32)
}

func newTraceKernel(sink trace.Sink) *traceKernel {
	k := &traceKernel{next: 0x100, ops: map[uint64]*traceOp{}}
	k.d = check.NewDriver(func(int) { k.park() })
	k.ex = executor.New(executor.WithSink(sink), executor.WithDriver(k.d))
	k.ring = check.NewFakeRing(k.ex, 8)
	return k
}

func (k *traceKernel) Submit(req Request, w executor.Waker) uint64 {
	k.next++
	k.ops[k.next] = &traceOp{req: req, w: w}
	k.ring.Prepare(w.TaskID(), "READ", req.Fd, k.next)
	return k.next
}

func (k *traceKernel) Result(id uint64) (int32, bool) {
	op := k.ops[id]
	if op == nil || !op.done {
		return 0, false
	}
	delete(k.ops, id)
	return op.res, true
}

func (k *traceKernel) Cancel(id uint64, orphan func(int32)) {
	op := k.ops[id]
	if op == nil {
		return
	}
	if op.done {
		delete(k.ops, id) // nothing to cancel: forget the result
		return
	}
	op.cancelled, op.orphan = true, orphan
	k.ring.Cancel(id)
}

// traceAddr turns an SQE's address back into a pointer, as the kernel
// does (reinterpreting the word, so that checkptr does not object).
func traceAddr(addr uintptr) unsafe.Pointer { return *(*unsafe.Pointer)(unsafe.Pointer(&addr)) }

func (k *traceKernel) park() {
	k.ring.Submit(true)
	ids := k.ring.InFlight()
	slices.Sort(ids)
	for _, id := range ids {
		op := k.ops[id]
		res := -int32(syscall.ECANCELED)
		if !op.cancelled {
			n := 0
			if off := int(op.req.Off); off < len(traceFile) && op.req.Addr != 0 {
				n = copy(unsafe.Slice((*byte)(traceAddr(op.req.Addr)), op.req.Len), traceFile[off:])
			}
			res = int32(n)
		}
		k.ring.Post(id, res)
	}
	k.ring.Reap(func(id uint64) bool { return k.ops[id].cancelled }, func(id uint64, res int32) {
		op := k.ops[id]
		op.done, op.res = true, res
		if op.cancelled {
			delete(k.ops, id)
			if op.orphan != nil {
				op.orphan(res) // the kernel is done with the buffer
			}
			return
		}
		k.ex.WakeFromDriver(op.w, trace.SourceCompletion)
	})
	k.d.Unpark()
}

// TestTraceDemo is "run mine" (m in the workbook's exercise view): your
// ReadAt reads a file in two pieces (the second a short read), then a
// reader is dropped with its read in flight and its CQE comes back to
// nobody. The kernel is a fake; the ring events it traces show what your
// future asked of it. Skipped unless the workbook asks (it sets the trace
// file).
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
			for i := 0; i < 3 && len(k.ring.InFlight()) == 0; i++ {
				executor.Await(a, executor.YieldNow())
			}
			h.Cancel()
			executor.Await(a, executor.Future[executor.Result[executor.Result[int]]](h))
			return n + executor.Await(a, ReadAt(k, 7, second, int64(n))).Value
		}), executor.WithName("main"))
		check.NoError(t, err, "the demo's main task failed")
	})
}
