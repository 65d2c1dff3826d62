package scheduling_test

import (
	"testing"
	"time"
)

// The benchmarks' claims, with wide bounds, so that a change that turns
// them the wrong way fails go test (the benchmarks measure the numbers).

func TestSharesTwoToOneGiveAboutTwiceTheCPUOnARealClock(t *testing.T) {
	if testing.Short() {
		t.Skip("runs for 300 ms")
	}
	ra, rb, pa, pb := sharesRun(t, 300*time.Millisecond)
	if r := float64(ra) / float64(rb); r < 1.6 || r > 2.5 {
		t.Fatalf("cpu ratio %.2f (a %v, b %v), want about 2", r, ra, rb)
	}
	if r := float64(pa) / float64(pb); r < 1.3 || r > 3 {
		t.Fatalf("work ratio %.2f (%d and %d polls), want about 2", r, pa, pb)
	}
}

func TestALatencyQueueBesideACPUBoundNeighbourMeetsItsDelay(t *testing.T) {
	if testing.Short() {
		t.Skip("runs for 300 ms")
	}
	p99, late, n := latencyRun(t, 300*time.Millisecond)
	if n < 50 || p99 >= time.Millisecond {
		t.Fatalf("latency queue: %d wakes, wake → poll p99 %v, want ≥ 50 and < 1ms (late p99 %v)", n, p99, late)
	}
}
