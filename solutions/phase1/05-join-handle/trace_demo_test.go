package joinhandle

import (
	"testing"

	executor "asyncworkbook/phase1-executor"
	"asyncworkbook/phases/check"
	"asyncworkbook/phases/trace"
)

// traceWork wakes itself and returns Pending yields times, then is Ready
// with v: a task with a little to do.
func traceWork(yields, v int) executor.Future[int] {
	return executor.PollFn(func(cx *executor.Context) executor.Poll[int] {
		if yields == 0 {
			return executor.PollReady(v)
		}
		yields--
		cx.Wake(cx.WakerFor("itself"))
		return executor.Pending[int]()
	})
}

// TestTraceDemo is "run mine" (m in the workbook's exercise view): a task
// spawned with your Spawn yields twice and returns 42; main awaits your
// Handle. On the workbook's executor, its trace streamed to the
// visualiser. Skipped unless the workbook asks (it sets the trace file).
func TestTraceDemo(t *testing.T) {
	defer check.Guard(t, exercise)
	check.TraceDemo(t, func(sink trace.Sink) {
		ex := check.Executor(t, executor.WithSink(sink))
		h := Spawn(ex, traceWork(2, 42))
		check.BlockOn(t, ex, executor.Future[executor.Result[int]](h))
	})
}
