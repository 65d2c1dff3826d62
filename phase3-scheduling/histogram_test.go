package scheduling_test

import (
	"testing"
	"time"

	scheduling "asyncworkbook/phase3-scheduling"
)

func TestHistogramQuantilesAreWithinAnEighthOfTheTruth(t *testing.T) {
	var h scheduling.Histogram
	// 1..10000 µs: the true p50 is 5000 µs, p99 9900 µs.
	for i := 1; i <= 10000; i++ {
		h.Record(time.Duration(i) * time.Microsecond)
	}
	for _, tc := range []struct {
		q    float64
		want time.Duration
	}{{0.5, 5000 * time.Microsecond}, {0.99, 9900 * time.Microsecond}, {1, 10000 * time.Microsecond}} {
		got := h.Quantile(tc.q)
		if got < tc.want || got > tc.want+tc.want/8 {
			t.Errorf("Quantile(%v) = %v, want in [%v, %v]", tc.q, got, tc.want, tc.want+tc.want/8)
		}
	}
	if h.Count() != 10000 || h.Max() != 10*time.Millisecond {
		t.Errorf("Count %d Max %v, want 10000 and 10ms", h.Count(), h.Max())
	}
	if m := h.Mean(); m < 5000*time.Microsecond || m > 5001*time.Microsecond {
		t.Errorf("Mean = %v, want 5000.5µs", m)
	}
}

func TestHistogramP99SeesTheSlowOnePercent(t *testing.T) {
	var h scheduling.Histogram
	for range 980 {
		h.Record(10 * time.Microsecond)
	}
	for range 20 {
		h.Record(3 * time.Millisecond)
	}
	if p := h.Quantile(0.99); p < 3*time.Millisecond {
		t.Fatalf("p99 = %v with 2%% of values at 3ms, want ≥ 3ms", p)
	}
	if p := h.Quantile(0.5); p > 12*time.Microsecond {
		t.Fatalf("p50 = %v, want about 10µs", p)
	}
	var empty scheduling.Histogram
	if empty.Quantile(0.99) != 0 || empty.Mean() != 0 {
		t.Fatal("an empty histogram must report 0")
	}
}
