package await

import (
	"testing"
	"time"

	executor "asyncworkbook/phase1-executor"
	"asyncworkbook/phases/check"
	"asyncworkbook/phases/trace"
)

// TestTraceDemo is "run mine" (m in the workbook's exercise view): an
// Async function that awaits, with your Await, two yields and a short
// sleep, on the workbook's executor, its trace streamed to the
// visualiser. Skipped unless the workbook asks (it sets the trace file).
func TestTraceDemo(t *testing.T) {
	defer check.Guard(t, exercise)
	check.TraceDemo(t, func(sink trace.Sink) {
		ex := check.Executor(t, executor.WithSink(sink))
		check.BlockOn(t, ex, Async(func(a *Awaiter) int {
			Await(a, executor.YieldNow())
			Await(a, executor.YieldNow())
			Await(a, executor.Sleep(time.Millisecond))
			return 1
		}))
	})
}
