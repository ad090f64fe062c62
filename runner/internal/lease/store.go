package lease

import "periodic.dev/runner/internal/checkpoint"

// Store returns the checkpoint as the Lease keeps it: Load gives the annotations read when
// the hold was gained; Save hands the state to the next renewal (or the release), which
// writes it — no extra writes to the API.
func (h *Holder) Store() checkpoint.Store { return store{h} }

type store struct{ h *Holder }

func (s store) Load() (checkpoint.State, error) {
	s.h.mu.Lock()
	defer s.h.mu.Unlock()
	return s.h.loaded, nil
}

func (s store) Save(st checkpoint.State) error {
	s.h.mu.Lock()
	defer s.h.mu.Unlock()
	s.h.pending = st
	return nil
}
