// Package slots is the epoch-aligned grid of instants the benchmark's own programs use:
// k × Period + Offset after the Unix epoch, as the ticker's FixedRate cadence with a
// jitter offset.
package slots

import "time"

// Grid is the instants k × Period + Offset after the Unix epoch (Period > 0).
type Grid struct {
	Period time.Duration
	Offset time.Duration
}

// Next returns the first instant of the grid strictly after t.
func (g Grid) Next(t time.Time) time.Time {
	k := floorDiv(t.UnixNano()-int64(g.Offset), int64(g.Period)) + 1
	return g.at(k)
}

// Nearest returns the instant of the grid nearest to t (the later one on a tie): the slot
// a wake-up at t was for, whether it came late or early.
func (g Grid) Nearest(t time.Time) time.Time {
	n := t.UnixNano() - int64(g.Offset)
	k := floorDiv(n+int64(g.Period)/2, int64(g.Period))
	return g.at(k)
}

func (g Grid) at(k int64) time.Time {
	return time.Unix(0, k*int64(g.Period)+int64(g.Offset)).UTC()
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b < 0 {
		q--
	}
	return q
}
