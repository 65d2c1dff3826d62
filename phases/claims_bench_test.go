package phases

import "testing"

// The benchmarks here back figures the lessons quote that no runtime
// package measures (TestEveryNumericClaimCitesItsBenchmark holds every
// lesson to a cited benchmark). Run:
//
//	go test -run '^$' -bench DeferRecover -count 5 ./phases/

//go:noinline
func withDeferRecover(x int) (r int) {
	defer func() {
		if recover() != nil {
			r = -1
		}
	}()
	return x + 1
}

//go:noinline
func withoutDefer(x int) int { return x + 1 }

// BenchmarkDeferRecover measures what lesson p1-running-a-task says a
// deferred recover costs per call (open-coded since Go 1.14): compare
// its two sub-benchmarks.
func BenchmarkDeferRecover(b *testing.B) {
	b.Run("defer+recover", func(b *testing.B) {
		s := 0
		for i := range b.N {
			s += withDeferRecover(i)
		}
		sink = s
	})
	b.Run("plain", func(b *testing.B) {
		s := 0
		for i := range b.N {
			s += withoutDefer(i)
		}
		sink = s
	})
}

var sink int
