package schedule

import "time"

// forwardSteps is how many slots Latest walks forward before it searches backwards from
// upTo; the common case (one slot due) takes one or two steps.
const forwardSteps = 16

// Latest returns the latest slot of s in (after, upTo], and false when there is none. It
// costs a few Next calls however many slots the interval holds (a downtime of days at a
// sub-second period), walking forward a little and else searching back from upTo in
// doubling windows.
func Latest(s Slots, after, upTo time.Time) (time.Time, bool) {
	if !upTo.After(after) {
		return time.Time{}, false
	}
	cur := s.Next(after)
	if cur.IsZero() || cur.After(upTo) {
		return time.Time{}, false
	}
	for range forwardSteps {
		n := s.Next(cur)
		if n.IsZero() || n.After(upTo) {
			return cur, true
		}
		cur = n
	}
	// Find a window (upTo-w, upTo] holding a slot, then walk forward inside it.
	for w := time.Second; ; w *= 2 {
		from := upTo.Add(-w)
		clamped := !from.After(cur)
		if clamped {
			from = cur
		}
		if c := s.Next(from); !c.IsZero() && !c.After(upTo) {
			cur = c
			break
		}
		if clamped { // nothing after cur up to upTo
			return cur, true
		}
	}
	for {
		n := s.Next(cur)
		if n.IsZero() || n.After(upTo) {
			return cur, true
		}
		cur = n
	}
}
