// Package stats summarises samples of lateness: count, median, 99th percentile, maximum.
package stats

import (
	"math"
	"slices"
	"time"
)

// Summary is the distribution of one set of durations. The zero Summary (N == 0) has no
// figures.
type Summary struct {
	N   int
	P50 time.Duration
	P99 time.Duration
	Max time.Duration
}

// Summarize returns the count, p50, p99 and maximum of ds (nearest-rank percentiles, see
// Percentile). ds is not modified.
func Summarize(ds []time.Duration) Summary {
	if len(ds) == 0 {
		return Summary{}
	}
	sorted := slices.Clone(ds)
	slices.Sort(sorted)
	return Summary{N: len(sorted), P50: Percentile(sorted, 50), P99: Percentile(sorted, 99), Max: sorted[len(sorted)-1]}
}

// Percentile returns the p-th percentile (0 < p ≤ 100) of sorted by the nearest-rank
// method: the smallest value such that at least p % of the values are at most it, i.e. the
// value of rank ⌈p/100 × n⌉ (1-based). It is always one of the values, never interpolated:
// with 60 samples p99 is the largest, with 600 it is the 6th largest. sorted must be in
// ascending order and not empty.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	rank = max(1, min(rank, len(sorted)))
	return sorted[rank-1]
}

// Ratio returns a/b, and false when b is not positive (no meaningful ratio).
func Ratio(a, b time.Duration) (float64, bool) {
	if b <= 0 {
		return 0, false
	}
	return float64(a) / float64(b), true
}
