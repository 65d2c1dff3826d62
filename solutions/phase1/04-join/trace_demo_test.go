package join

import (
	"testing"

	executor "asyncworkbook/phase1-executor"
	"asyncworkbook/phases/check"
	"asyncworkbook/phases/trace"
)

// traceFetch stands for a fetch that takes a few round trips: it wakes
// itself and returns Pending yields times, then is Ready with name.
func traceFetch(name string, yields int) executor.Future[string] {
	return executor.PollFn(func(cx *executor.Context) executor.Poll[string] {
		if yields == 0 {
			return executor.PollReady(name)
		}
		yields--
		cx.Wake(cx.WakerFor("itself (a round trip)"))
		return executor.Pending[string]()
	})
}

// TestTraceDemo is "run mine" (m in the workbook's exercise view): your
// Join over two fetches, one of two round trips and one of three, on the
// workbook's executor, its trace streamed to the visualiser. Skipped
// unless the workbook asks (it sets the trace file).
func TestTraceDemo(t *testing.T) {
	defer check.Guard(t, exercise)
	check.TraceDemo(t, func(sink trace.Sink) {
		ex := check.Executor(t, executor.WithSink(sink))
		check.BlockOn(t, ex, Join(traceFetch("users", 2), traceFetch("orders", 3)))
	})
}
