package lease

import (
	"testing"
	"time"

	"periodic.dev/runner/internal/checkpoint"
	"periodic.dev/runner/internal/result"
)

func TestStoreSavesForTheNextWriteOnly(t *testing.T) {
	a := newFakeAPI(t, map[string]any{"holderIdentity": "someone-else_1", "leaseDurationSeconds": 15})
	h := newHolder(t, a, "pod-a_1") // not started: no writes at all
	s := checkpoint.State{LastSlot: time.Date(2024, 7, 1, 0, 0, 0, 0, time.UTC), LastResult: result.Failure}
	if err := h.Store().Save(s); err != nil {
		t.Fatal(err)
	}
	if got, _ := h.Store().Load(); got != (checkpoint.State{}) {
		t.Fatalf("Load = %+v: it gives what was read when the hold was gained", got)
	}
	if rv := a.ResourceVersion(); rv != 100 || len(a.Annotations()) != 0 {
		t.Fatalf("Save wrote to the API (rv %d, annotations %v)", rv, a.Annotations())
	}
}
