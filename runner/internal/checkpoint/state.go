// Package checkpoint keeps what must survive a runner: the last finished slot (the
// --missed-runs RunOnce checkpoint) and the last results. The Lease carries it as
// annotations (annotations.go); without a Lease a file in --state-dir does (file.go).
package checkpoint

import (
	"time"

	"periodic.dev/runner/internal/result"
)

// State is the checkpoint. Zero fields are unknown.
type State struct {
	LastSlot    time.Time   // slot of the last finished run
	LastSuccess time.Time   // end of the last successful run
	LastFailure time.Time   // end of the last failed or timed-out run
	LastResult  result.Kind // result of the last finished run
}

// With returns the state after the run r has ended. A skipped slot changes nothing: it was
// decided, not run. LastSlot never moves back (overlapping runs may end out of order).
func (s State) With(r result.Record) State {
	if r.Kind == result.Skipped {
		return s
	}
	if r.Slot.After(s.LastSlot) {
		s.LastSlot = r.Slot
	}
	s.LastResult = r.Kind
	if r.Kind == result.Success {
		s.LastSuccess = r.End
	} else {
		s.LastFailure = r.End
	}
	return s
}

// Store loads and saves the state.
type Store interface {
	Load() (State, error)
	Save(State) error
}
