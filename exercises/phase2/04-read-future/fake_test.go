package readfuture

import (
	"fmt"
	"strings"
	"sync"
	"syscall"
	"testing"
	"unsafe"
	"weak"

	executor "asyncworkbook/phase1-executor"
	"asyncworkbook/phases/check"
	"asyncworkbook/phases/trace"
)

// fakeKernel is a Submitter whose operations complete when the test says
// so. Executor goroutine only (the tests call it from the driver's park
// and from tasks).
type fakeKernel struct {
	ops  map[uint64]*fakeOp
	all  []*fakeOp // every op submitted, in order
	next uint64
	log  []string
}

type fakeOp struct {
	id        uint64
	req       Request
	waker     executor.Waker
	completed bool  // its completion arrived
	res       int32 // ...with this result
	collected bool  // Result said done
	cancelled bool  // Cancel was called
	forgotten bool  // Cancel came after the completion: result dropped
	orphan    func(int32)
	orphaned  bool // orphan was called
	buf       weak.Pointer[byte]
	results   int // Result calls before the completion (spurious polls)
	// lostOrphan is the orphan of a Cancel that came after the
	// completion: the contract says it is never called.
	lostOrphan func(int32)
}

// keptFakes holds every fake kernel for the life of the test binary, and
// with it every orphan function it was given and never called: a buffer
// a wrong answer left pinned then stays reachable, and the test that
// found it fails with its own message, instead of the runtime crashing
// the binary later ("found leaking pinned pointer") when the Pinner is
// collected.
var keptFakes struct {
	sync.Mutex
	all     []*fakeKernel
	futures []any // see keepIfFailed
}

// keepIfFailed keeps f (a future, or what holds one) reachable for the
// life of the test binary if the test fails: a wrong answer may have left
// its buffer pinned, and the failure message should be the test's.
func keepIfFailed(t *testing.T, f any) {
	t.Cleanup(func() {
		if t.Failed() {
			keptFakes.Lock()
			keptFakes.futures = append(keptFakes.futures, f)
			keptFakes.Unlock()
		}
	})
}

func newFake() *fakeKernel {
	k := &fakeKernel{ops: map[uint64]*fakeOp{}, next: 100}
	keptFakes.Lock()
	keptFakes.all = append(keptFakes.all, k)
	keptFakes.Unlock()
	return k
}

func (k *fakeKernel) logf(format string, args ...any) {
	k.log = append(k.log, fmt.Sprintf(format, args...))
}

// Log returns the fake's log, one line each, for failure messages.
func (k *fakeKernel) Log() string {
	if len(k.log) == 0 {
		return "\n\t(nothing happened)"
	}
	return "\n\t" + strings.Join(k.log, "\n\t")
}

// addrPointer turns an address back into a pointer, as the kernel does
// (reinterpreting the word, so that checkptr does not object).
func addrPointer(addr uintptr) unsafe.Pointer { return *(*unsafe.Pointer)(unsafe.Pointer(&addr)) }

func (k *fakeKernel) Submit(req Request, w executor.Waker) uint64 {
	k.next++
	op := &fakeOp{id: k.next, req: req, waker: w}
	if req.Addr != 0 {
		op.buf = weak.Make((*byte)(addrPointer(req.Addr)))
	}
	k.ops[op.id] = op
	k.all = append(k.all, op)
	k.logf("Submit(%+v) → id %d", req, op.id)
	return op.id
}

func (k *fakeKernel) Result(id uint64, w executor.Waker) (int32, bool) {
	op, ok := k.ops[id]
	if !ok {
		k.logf("Result(%d): no such op", id)
		return 0, false
	}
	if !op.completed {
		op.waker = w
		op.results++
		k.logf("Result(%d): not yet; the waker is now T%d's", id, w.TaskID())
		return 0, false
	}
	op.collected = true
	delete(k.ops, id)
	k.logf("Result(%d) → %d, done; the op is over", id, op.res)
	return op.res, true
}

func (k *fakeKernel) Cancel(id uint64, orphan func(int32)) {
	op, ok := k.ops[id]
	if !ok {
		k.logf("Cancel(%d): no such op", id)
		return
	}
	op.cancelled = true
	if op.completed {
		op.forgotten = true
		op.lostOrphan = orphan // never called: kept only so a pin it would release is not collected
		delete(k.ops, id)
		k.logf("Cancel(%d): it had completed (res %d): op and result forgotten", id, op.res)
		return
	}
	op.orphan = orphan
	k.logf("Cancel(%d): cancel requested; the kernel owns the buffer until the completion", id)
}

// complete delivers op id's completion: for a read with res > 0 the
// kernel first writes data into the buffer, like the real one.
func (k *fakeKernel) complete(id uint64, res int32, data string) {
	op := k.ops[id]
	if op == nil || op.completed {
		check.Fail(fmt.Sprintf("the test wanted to complete op %d, which is not in flight; fake log:%s", id, k.Log()))
	}
	if res > 0 && op.req.Op == OpRead {
		if op.buf.Value() == nil {
			check.Fail(fmt.Sprintf("the kernel was about to write %d bytes at %#x for op %d, but the garbage collector has freed that buffer: "+
				"it must stay alive (pinned) until the op's completion, even when the future was dropped; fake log:%s", res, op.req.Addr, id, k.Log()))
		}
		n := min(int(res), int(op.req.Len), len(data))
		copy(unsafe.Slice((*byte)(addrPointer(op.req.Addr)), n), data)
	}
	op.completed, op.res = true, res
	if op.cancelled {
		delete(k.ops, id)
		k.logf("completion of cancelled op %d: res %d → orphan", id, res)
		if op.orphan != nil {
			op.orphaned = true
			orphan := op.orphan
			op.orphan = nil // the kernel forgets the op entirely
			orphan(res)
		}
		return
	}
	k.logf("completion of op %d: res %d → wake T%d", id, res, op.waker.TaskID())
	op.waker.WakeBy(trace.SourceCompletion)
}

// inFlight returns the ops submitted and not yet completed.
func (k *fakeKernel) inFlight() []*fakeOp {
	var out []*fakeOp
	for _, op := range k.all {
		if !op.completed && !op.forgotten {
			out = append(out, op)
		}
	}
	return out
}

// script runs one step each time the executor parks (then unparks it,
// so the next park runs the next step).
func script(steps ...func()) *check.Driver {
	var d *check.Driver
	d = check.NewDriver(func(int) {
		if len(steps) == 0 {
			check.Fail("the executor parked with nothing left for the kernel to do: a task waits for a wake that never comes (does the future hand its waker to Submit?)")
		}
		step := steps[0]
		steps = steps[1:]
		step()
		d.Unpark()
	})
	return d
}

var errnoEBADF = syscall.EBADF
