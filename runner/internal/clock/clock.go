// Package clock puts time behind an interface, so that the run loop, the lease holder and
// the health check can be driven by a fake clock in tests.
package clock

import (
	"context"
	"time"
)

// Clock is what the runner needs from time: reading it, waiting for an instant and
// calling a function after a delay.
type Clock interface {
	// Now returns the current time.
	Now() time.Time
	// WaitUntil blocks until the clock reads t or later (nil) or ctx is done (ctx.Err()).
	WaitUntil(ctx context.Context, t time.Time) error
	// AfterFunc calls f in its own goroutine once d has passed. The returned stop function
	// cancels the call and reports whether it did so before f was started.
	AfterFunc(d time.Duration, f func()) (stop func() bool)
}

// Real is the system clock. Its WaitUntil wakes within microseconds of the instant asked
// for, not within the millisecond that Go timers guarantee (see WaitUntil).
type Real struct{}

// Now returns time.Now().
func (Real) Now() time.Time { return time.Now() }

// AfterFunc is time.AfterFunc.
func (Real) AfterFunc(d time.Duration, f func()) func() bool { return time.AfterFunc(d, f).Stop }

// coarseMargin is how early the Go timer is asked to fire before the target. Go's runtime
// waits for timers with epoll in whole milliseconds, so a timer is up to about 1 ms late;
// the last stretch is slept precisely instead (sleepUntil).
const coarseMargin = 2 * time.Millisecond

// WaitUntil sleeps on a Go timer (cancellable by ctx) until coarseMargin before t, then
// sleeps the rest with an absolute-time system sleep on the wall clock. The short precise
// sleep is not interrupted by ctx; at most coarseMargin is lost on cancellation.
func (Real) WaitUntil(ctx context.Context, t time.Time) error {
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		d := time.Until(t)
		if d <= 0 {
			return nil
		}
		if d <= coarseMargin {
			sleepUntil(t)
			return nil
		}
		timer := time.NewTimer(d - coarseMargin)
		select {
		case <-ctx.Done():
			timer.Stop()
			return ctx.Err()
		case <-timer.C:
		}
	}
}
