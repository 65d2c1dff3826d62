package countdown

import (
	"testing"

	executor "asyncworkbook/phase1-executor"
	"asyncworkbook/phases/check"
	"asyncworkbook/phases/trace"
)

// TestTraceDemo is "run mine" (m in the workbook's exercise view): your
// Countdown{N: 3} on the workbook's executor, its trace streamed to the
// visualiser. Skipped unless the workbook asks (it sets the trace file).
func TestTraceDemo(t *testing.T) {
	defer check.Guard(t, exercise)
	check.TraceDemo(t, func(sink trace.Sink) {
		ex := check.Executor(t, executor.WithSink(sink))
		check.BlockOn(t, ex, executor.Future[[]int](&Countdown{N: 3}))
	})
}
