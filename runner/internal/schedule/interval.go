package schedule

import (
	"fmt"
	"time"
)

// FixedRate returns slots every period, aligned to the Unix epoch: the slots are the
// instants k × period after 1970-01-01T00:00:00Z, so they are the same after a restart
// and match the cron that a cron-expressible interval becomes. Combine it with WithOffset
// for a per-task jitter offset.
func FixedRate(period time.Duration) (Slots, error) {
	if period <= 0 {
		return nil, fmt.Errorf("fixed-rate period %v: must be positive", period)
	}
	return fixedRate{period: period.Nanoseconds()}, nil
}

type fixedRate struct{ period int64 } // nanoseconds

func (r fixedRate) Next(t time.Time) time.Time {
	n := t.UnixNano()
	k := n / r.period
	if n%r.period < 0 { // floor division for instants before the epoch
		k--
	}
	return time.Unix(0, (k+1)*r.period).UTC()
}

// FixedDelay returns the slots of a fixed-delay cadence: Next(end) is end + interval, so the
// caller passes the end of the previous run, never overlapping runs.
func FixedDelay(interval time.Duration) (Slots, error) {
	if interval <= 0 {
		return nil, fmt.Errorf("fixed-delay interval %v: must be positive", interval)
	}
	return fixedDelay(interval), nil
}

type fixedDelay time.Duration

func (d fixedDelay) Next(t time.Time) time.Time { return t.Add(time.Duration(d)) }
