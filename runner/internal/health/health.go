// Package health tells a stuck ticker from a working one: it fails when no run has finished
// for longer than the schedule, the deadlines and a margin allow. A standby (no Lease) is
// never stuck: it is not supposed to run.
package health

import (
	"fmt"
	"sync"
	"time"

	"periodic.dev/runner/internal/clock"
	"periodic.dev/runner/internal/result"
	"periodic.dev/runner/internal/schedule"
)

// Margin is added to what the deadlines allow, for the run loop's own work.
const Margin = 5 * time.Second

// Tracker observes the run loop. After a run ends at E (or the runner gains the right to
// run at E) the next run is due at the first slot after E and must have ended by then plus
// attempts × (timeout + kill grace) + Margin.
type Tracker struct {
	clock  clock.Clock
	slots  schedule.Slots
	budget time.Duration

	mu       sync.Mutex
	active   bool
	finished time.Time // last run end, or when the runner gained the right to run
	ended    bool      // a run has ended since the start
	first    time.Time // no run is due before this (FixedDelay's first-slot delay); zero: none
}

// New returns a tracker for slots whose slots have attempts of at most timeout + killGrace.
func New(c clock.Clock, slots schedule.Slots, attempts int, timeout, killGrace time.Duration) *Tracker {
	return &Tracker{clock: c, slots: slots, budget: time.Duration(attempts)*(timeout+killGrace) + Margin}
}

// FirstRunNotBefore tells the tracker that the first run of this process is due no
// earlier than t (a FixedDelay loop waits its --jitter-offset before it): until a run has
// ended, the budget runs from t, not from the first slot after the runner gained the Lease.
func (t *Tracker) FirstRunNotBefore(at time.Time) {
	t.mu.Lock()
	t.first = at
	t.mu.Unlock()
}

// Check returns nil when healthy, else what is overdue.
func (t *Tracker) Check() error {
	t.mu.Lock()
	active, finished, ended, first := t.active, t.finished, t.ended, t.first
	t.mu.Unlock()
	if !active {
		return nil
	}
	due := t.slots.Next(finished)
	if due.IsZero() {
		return nil
	}
	if !ended && first.After(due) {
		due = first
	}
	if by := due.Add(t.budget); t.clock.Now().After(by) {
		return fmt.Errorf("stuck: no run has finished since %s; the slot at %s should have ended by %s",
			finished.UTC().Format(time.RFC3339Nano), due.UTC().Format(time.RFC3339Nano), by.UTC().Format(time.RFC3339Nano))
	}
	return nil
}

// RunStarted does nothing: only ends show progress.
func (t *Tracker) RunStarted(result.Record) {}

// RunEnded notes the end of a run; skipped slots are no progress.
func (t *Tracker) RunEnded(r result.Record) {
	if r.Kind == result.Skipped {
		return
	}
	t.mu.Lock()
	t.ended = true
	if r.End.After(t.finished) {
		t.finished = r.End
	}
	t.mu.Unlock()
}

// Holding starts the watch when the runner may run, and stops it for a standby.
func (t *Tracker) Holding(held bool, since time.Time) {
	t.mu.Lock()
	t.active = held
	if held {
		t.finished = since
	}
	t.mu.Unlock()
}
