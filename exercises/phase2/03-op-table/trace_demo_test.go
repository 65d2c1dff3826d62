package optable

import (
	"slices"
	"testing"

	executor "asyncworkbook/phase1-executor"
	"asyncworkbook/phases/check"
	"asyncworkbook/phases/trace"
)

// traceRing is the kernel of "run mine": each time the executor parks it
// submits what your table's users prepared, completes every request in
// flight — the newest first, as a kernel may — and hands each CQE to your
// Complete. check.FakeRing traces it as a real ring would; the user_data
// on every event is the one your Start returned. Executor goroutine only.
type traceRing struct {
	tb       *Table
	kernel   *Kernel // the given one: it records each submission
	prepared map[string]bool
	ring     *check.FakeRing
	d        *check.Driver
	res      map[uint64]int32 // user_data → the result its CQE will carry
}

func (k *traceRing) park() {
	k.ring.Submit(true)
	ids := k.ring.InFlight()
	if len(ids) == 0 {
		check.Fail("the executor parked with no request in flight: a task waits for a wake that never comes " +
			"(did Complete fire the waker Start was given?)")
	}
	slices.Sort(ids)
	slices.Reverse(ids) // out of order: the last submitted completes first
	for _, ud := range ids {
		k.ring.Post(ud, k.res[ud])
	}
	k.ring.Reap(nil, func(ud uint64, res int32) { k.tb.Complete(CQE{UserData: ud, Res: res}) })
	k.d.Unpark()
}

// op is the given Op future for an operation named op on fd whose CQE
// carries res (name makes it unique for the given Kernel). Whenever a poll
// of it submits (your Start gave it a user_data), the SQE is traced.
func (k *traceRing) op(name, op string, fd int32, res int32) executor.Future[int32] {
	inner := Op(k.tb, k.kernel, name)
	return executor.PollFn(func(cx *executor.Context) executor.Poll[int32] {
		r := inner.Poll(cx)
		if ud, ok := k.kernel.Submitted[name]; ok && !k.prepared[name] {
			k.prepared[name] = true
			k.res[ud] = res
			k.ring.Prepare(cx.TaskID(), op, fd, ud)
		}
		return r
	})
}

// TestTraceDemo is "run mine" (m in the workbook's exercise view): two
// tasks each start a READ through your table; their CQEs come back in the
// other order and your Complete must wake the right task for each; then
// main starts a WRITE, which reuses a freed entry (watch its user_data).
// The kernel is a fake; the user_data are yours. Skipped unless the
// workbook asks (it sets the trace file).
func TestTraceDemo(t *testing.T) {
	defer check.Guard(t, exercise)
	check.TraceDemo(t, func(sink trace.Sink) {
		k := &traceRing{tb: &Table{}, kernel: NewKernel(), prepared: map[string]bool{}, res: map[uint64]int32{}}
		k.d = check.NewDriver(func(int) { k.park() })
		ex := check.Executor(t, executor.WithSink(sink), executor.WithDriver(k.d))
		k.ring = check.NewFakeRing(ex, 8)
		check.BlockOn(t, ex, executor.Async(func(a *executor.Awaiter) int32 {
			first := executor.Spawn(ex, k.op("first READ", "READ", 5, 4096), executor.WithName("first"))
			second := executor.Spawn(ex, k.op("second READ", "READ", 6, 512), executor.WithName("second"))
			executor.Await(a, executor.Join(
				executor.Future[executor.Result[int32]](first),
				executor.Future[executor.Result[int32]](second)))
			return executor.Await(a, k.op("WRITE", "WRITE", 5, 13))
		}))
	})
}
