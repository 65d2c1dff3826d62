package scheduling_test

import (
	"testing"

	scheduling "asyncworkbook/phase3-scheduling"
)

var sinkBool bool

// BenchmarkNeedPreempt is the cost of the question a long task asks
// between pieces of work: one atomic load and a compare. Target ≤ 5 ns.
func BenchmarkNeedPreempt(b *testing.B) {
	s := scheduling.NewScheduler()
	var v bool
	for b.Loop() {
		v = v != s.NeedPreempt()
	}
	sinkBool = v
}
