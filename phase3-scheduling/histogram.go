package scheduling

import (
	"math/bits"
	"time"
)

// Histogram counts durations in log-linear buckets: exact below 16 ns,
// then eight buckets per power of two, so a quantile is off by at most one
// eighth (12.5 %) of its value, and Record costs a few instructions and no
// allocation. It is what keeps each queue's wake → poll delay and its p99.
// Not safe for concurrent use (the executor's goroutine owns it). The zero
// value is empty.
type Histogram struct {
	counts [histBuckets]uint64
	n      uint64
	sum    time.Duration
	max    time.Duration
}

const (
	histExact   = 16 // values 0..15 have a bucket each
	histSub     = 8  // sub-buckets per power of two (3 bits)
	histBuckets = histExact + (64-4)*histSub
)

func histIndex(v uint64) int {
	if v < histExact {
		return int(v)
	}
	e := bits.Len64(v) - 1 // ≥ 4
	sub := int(v>>(e-3)) & (histSub - 1)
	return histExact + (e-4)*histSub + sub
}

// histUpper returns the largest value that falls into bucket i.
func histUpper(i int) uint64 {
	if i < histExact {
		return uint64(i)
	}
	e := (i-histExact)/histSub + 4
	sub := uint64((i - histExact) % histSub)
	lo := uint64(1)<<e | sub<<(e-3)
	return lo + (uint64(1) << (e - 3)) - 1
}

// Record adds one duration (negative counts as 0).
func (h *Histogram) Record(d time.Duration) {
	if d < 0 {
		d = 0
	}
	h.counts[histIndex(uint64(d))]++
	h.n++
	h.sum += d
	h.max = max(h.max, d)
}

// Count returns how many durations were recorded.
func (h *Histogram) Count() uint64 { return h.n }

// Mean returns the average, or 0 when empty.
func (h *Histogram) Mean() time.Duration {
	if h.n == 0 {
		return 0
	}
	return h.sum / time.Duration(h.n)
}

// Max returns the largest duration recorded.
func (h *Histogram) Max() time.Duration { return h.max }

// Quantile returns an upper bound of the q-quantile (0 < q ≤ 1): the top
// of the bucket holding the ⌈q·n⌉-th smallest value, never above Max. It
// returns 0 when empty.
func (h *Histogram) Quantile(q float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	rank := uint64(q*float64(h.n) + 0.999999999)
	rank = min(max(rank, 1), h.n)
	var seen uint64
	for i, c := range h.counts {
		seen += c
		if seen >= rank {
			return min(time.Duration(histUpper(i)), h.max)
		}
	}
	return h.max
}

// Reset empties the histogram.
func (h *Histogram) Reset() { *h = Histogram{} }
