// Package schedule computes the instants ("slots") at which a task is due: epoch-aligned
// fixed-rate intervals, fixed delays and cron expressions as robfig/cron v3 reads them.
// It is pure: no clock is read; every instant arrives as an argument.
package schedule

import "time"

// Slots is a schedule: Next returns the first slot strictly after t, or the zero time when
// there is none.
type Slots interface {
	Next(t time.Time) time.Time
}
