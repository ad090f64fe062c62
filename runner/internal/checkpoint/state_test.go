package checkpoint

import (
	"testing"
	"time"

	"periodic.dev/runner/internal/result"
)

var t0 = time.Date(2024, 7, 1, 0, 0, 0, 0, time.UTC)

func TestWith(t *testing.T) {
	s := State{}.
		With(result.Record{Slot: t0, Kind: result.Success, End: t0.Add(time.Second)}).
		With(result.Record{Slot: t0.Add(time.Minute), Kind: result.Timeout, End: t0.Add(2 * time.Minute)}).
		With(result.Record{Slot: t0.Add(2 * time.Minute), Kind: result.Skipped})
	want := State{LastSlot: t0.Add(time.Minute), LastSuccess: t0.Add(time.Second), LastFailure: t0.Add(2 * time.Minute), LastResult: result.Timeout}
	if s != want {
		t.Fatalf("state %+v, want %+v", s, want)
	}
	// A run of an older slot ending late does not move the checkpoint back.
	s = s.With(result.Record{Slot: t0, Kind: result.Success, End: t0.Add(3 * time.Minute)})
	if !s.LastSlot.Equal(t0.Add(time.Minute)) || s.LastResult != result.Success || !s.LastSuccess.Equal(t0.Add(3*time.Minute)) {
		t.Fatalf("state %+v", s)
	}
}
