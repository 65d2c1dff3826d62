package cancelaccept

import (
	"fmt"
	"strings"

	executor "asyncworkbook/phase1-executor"
	"asyncworkbook/phases/check"
	"asyncworkbook/phases/trace"
)

// fakeKernel is a Submitter whose accepts complete when the test says so,
// and which counts what happens to every descriptor it hands out.
// Executor goroutine only.
type fakeKernel struct {
	ops    map[uint64]*fakeOp
	all    []*fakeOp
	next   uint64
	closes map[int32]int // descriptor → CloseFD calls
	log    []string
}

type fakeOp struct {
	id        uint64
	req       Request
	waker     executor.Waker
	completed bool
	res       int32
	collected bool // Result said done: the caller has the descriptor
	cancelled bool
	forgotten bool // Cancel came after the completion: result dropped
	orphan    func(int32)
}

func newFake() *fakeKernel {
	return &fakeKernel{ops: map[uint64]*fakeOp{}, next: 100, closes: map[int32]int{}}
}

func (k *fakeKernel) logf(format string, args ...any) {
	k.log = append(k.log, fmt.Sprintf(format, args...))
}

// Log returns the fake's log, for failure messages.
func (k *fakeKernel) Log() string {
	if len(k.log) == 0 {
		return "\n\t(nothing happened)"
	}
	return "\n\t" + strings.Join(k.log, "\n\t")
}

func (k *fakeKernel) Submit(req Request, w executor.Waker) uint64 {
	k.next++
	op := &fakeOp{id: k.next, req: req, waker: w}
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
		delete(k.ops, id)
		k.logf("Cancel(%d): it had completed (res %d): nothing to cancel; op and result forgotten", id, op.res)
		return
	}
	op.orphan = orphan
	k.logf("Cancel(%d): cancel requested", id)
}

func (k *fakeKernel) CloseFD(fd int32) {
	k.closes[fd]++
	k.logf("CloseFD(%d)", fd)
}

// complete delivers op id's completion.
func (k *fakeKernel) complete(id uint64, res int32) {
	op := k.ops[id]
	if op == nil || op.completed {
		check.Fail(fmt.Sprintf("the test wanted to complete op %d, which is not in flight; fake log:%s", id, k.Log()))
	}
	op.completed, op.res = true, res
	if op.cancelled {
		delete(k.ops, id)
		k.logf("completion of cancelled op %d: res %d → orphan", id, res)
		if orphan := op.orphan; orphan != nil {
			op.orphan = nil
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
		if !op.completed {
			out = append(out, op)
		}
	}
	return out
}

// fdProblems says what went wrong with the descriptors the kernel handed
// out: leaked (neither collected with Result nor closed), closed twice,
// or never handed out at all. (Whether a collected descriptor reached the
// caller, the tests check themselves.)
func (k *fakeKernel) fdProblems() []string {
	var out []string
	made := map[int32]*fakeOp{}
	for _, op := range k.all {
		if !op.completed || op.res < 0 {
			continue
		}
		made[op.res] = op
		n := k.closes[op.res]
		switch {
		case !op.collected && n == 0:
			out = append(out, fmt.Sprintf("descriptor %d (the connection accepted by op %d) leaked: nobody took it and nobody closed it", op.res, op.id))
		case n > 1:
			out = append(out, fmt.Sprintf("descriptor %d was closed %d times: the second close may close another file that reused the number", op.res, n))
		}
	}
	for fd, n := range k.closes {
		if made[fd] == nil {
			out = append(out, fmt.Sprintf("CloseFD(%d) was called %d times, but no accept produced descriptor %d", fd, n, fd))
		}
	}
	return out
}

// script runs one step each time the executor parks, then unparks it.
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
