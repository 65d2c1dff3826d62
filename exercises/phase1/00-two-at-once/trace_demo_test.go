package twoatonce

import (
	"testing"

	executor "asyncworkbook/phase1-executor"
	"asyncworkbook/phases/check"
	"asyncworkbook/phases/trace"
)

// TestTraceDemo is "run mine" (m in the workbook's exercise view): your
// Both on the workbook's executor, traced, with two fetches — users
// (three round trips) and orders (one); each round trip is a poll that
// returns Pending and wakes itself. With Both right, the two interleave
// in the task table and main waits once, on both join handles. Skipped
// unless the workbook asks (it sets the trace file).
func TestTraceDemo(t *testing.T) {
	defer check.Guard(t, exercise)
	check.TraceDemo(t, func(sink trace.Sink) {
		ex := check.Executor(t, executor.WithSink(sink), executor.WithDriver(check.NoParking(
			"Both waits for something nobody will wake: does it await the two futures (or their join handles)?")))
		x := &fetch{name: "users", trips: 3, ex: ex}
		y := &fetch{name: "orders", trips: 1, ex: ex}
		type out struct{ X, Y string }
		got := check.BlockOn(t, ex, executor.Async(func(a *executor.Awaiter) out {
			vx, vy := Both(a, x, y)
			return out{vx, vy}
		}))
		if got.X != "users" || got.Y != "orders" {
			check.Fail("Both returned (" + got.X + ", " + got.Y + "), want (users, orders): x's output first")
		}
	})
}
