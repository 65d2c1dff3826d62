package scheduling_test

import (
	"testing"
	"time"
)

// The benchmarks' claims, with wide bounds, so that a change that turns
// them the wrong way fails go test (the benchmarks measure the numbers).
//
// On a real clock, time the OS takes the executor's thread away is
// charged to whichever queue runs; on a loaded machine one long gap can
// spoil a 300 ms run. Each test gets three attempts: a broken scheduler
// fails all three, a descheduled run passes on the next.
const attempts = 3

func TestSharesTwoToOneGiveAboutTwiceTheCPUOnARealClock(t *testing.T) {
	if testing.Short() {
		t.Skip("runs for 300 ms")
	}
	for i := range attempts {
		ra, rb, pa, pb := sharesRun(t, 300*time.Millisecond)
		cpu, work := float64(ra)/float64(rb), float64(pa)/float64(pb)
		if cpu >= 1.6 && cpu <= 2.5 && work >= 1.3 && work <= 3 {
			return
		}
		t.Logf("attempt %d: cpu ratio %.2f (a %v, b %v), work ratio %.2f (%d, %d polls)", i+1, cpu, ra, rb, work, pa, pb)
	}
	t.Fatalf("shares 2:1 did not give about twice the CPU in %d attempts", attempts)
}

func TestALatencyQueueBesideACPUBoundNeighbourMeetsItsDelay(t *testing.T) {
	if testing.Short() {
		t.Skip("runs for 300 ms")
	}
	for i := range attempts {
		p99, late, n := latencyRun(t, 300*time.Millisecond)
		if n >= 50 && p99 < time.Millisecond {
			return
		}
		t.Logf("attempt %d: %d wakes, wake → poll p99 %v (late p99 %v)", i+1, n, p99, late)
	}
	t.Fatalf("the latency queue missed its 1 ms delay at p99 in %d attempts", attempts)
}
