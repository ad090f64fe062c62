package runloop

import "context"

// Guard decides whether this runner may run now: the Lease holder, or Unguarded.
type Guard interface {
	// Hold returns a context that stays live while the runner holds the right to run —
	// runs started under it are stopped when it is lost (context.Cause says why) — and
	// false when the runner does not hold it now. It must be cheap: it is on the path
	// from the slot's instant to the run's start.
	Hold() (context.Context, bool)
	// Changed returns a channel closed at the next change of what Hold answers.
	Changed() <-chan struct{}
}

// Unguarded lets every slot run (no --lease).
type Unguarded struct{}

// Hold always holds.
func (Unguarded) Hold() (context.Context, bool) { return context.Background(), true }

// Changed never closes.
func (Unguarded) Changed() <-chan struct{} { return nil }
