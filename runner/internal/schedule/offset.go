package schedule

import "time"

// WithOffset shifts every slot of s later by d (a per-task jitter offset). A zero offset
// returns s itself.
func WithOffset(s Slots, d time.Duration) Slots {
	if d == 0 {
		return s
	}
	return offset{inner: s, by: d}
}

type offset struct {
	inner Slots
	by    time.Duration
}

func (o offset) Next(t time.Time) time.Time {
	n := o.inner.Next(t.Add(-o.by))
	if n.IsZero() {
		return n
	}
	return n.Add(o.by)
}
