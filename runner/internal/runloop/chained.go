package runloop

import (
	"context"
	"time"
)

// runChained is the FixedDelay loop: run, wait the interval after the run's end, run.
// Runs never overlap, so the concurrency policy has nothing to decide and catch-up does
// not apply; a checkpoint only keeps a restarted runner from running before the interval
// after the last slot has passed.
func (l *Loop) runChained(ctx context.Context) {
	next := l.clock.Now().Add(l.cfg.FirstDelay)
	holding := false
	for {
		changed := l.guard.Changed()
		if _, ok := l.guard.Hold(); !ok {
			if holding {
				holding = false
				l.holding(false, l.clock.Now())
			}
			select { // a standby waits to gain the right to run
			case <-ctx.Done():
				return
			case <-changed:
				continue
			}
		}
		if !holding {
			holding = true
			now := l.clock.Now()
			l.holding(true, now)
			if last := l.load().LastSlot; !last.IsZero() {
				next = later(next, l.cfg.Slots.Next(last))
			}
			next = later(next, now)
		}
		if l.clock.WaitUntil(ctx, next) != nil {
			return
		}
		if hold, ok := l.guard.Hold(); ok {
			r := l.register(hold, next, time.Time{}, false)
			l.execute(r, nil)
		}
		next = l.cfg.Slots.Next(l.clock.Now())
	}
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
