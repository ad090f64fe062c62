package lease

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"periodic.dev/runner/internal/checkpoint"
	"periodic.dev/runner/internal/result"
	"periodic.dev/runner/internal/waitfor"
)

func TestAcquiresAFreeLeaseAndLoadsTheCheckpoint(t *testing.T) {
	a := newFakeAPI(t, map[string]any{"holderIdentity": "", "leaseTransitions": 2})
	a.Edit(func(obj map[string]any) {
		obj["metadata"].(map[string]any)["annotations"] = map[string]any{
			"periodic.dev/last-slot": "2024-07-01T00:00:05Z", "periodic.dev/last-result": "success", "other": "kept"}
	})
	h := startHolder(t, a, "pod-a_1")
	if !held(h) {
		t.Fatal("free lease not held after Start")
	}
	spec := a.Spec()
	if spec["holderIdentity"] != "pod-a_1" || spec["leaseDurationSeconds"] != float64(1) || spec["leaseTransitions"] != float64(3) ||
		spec["acquireTime"] == nil || spec["renewTime"] == nil {
		t.Fatalf("spec after acquiring: %v", spec)
	}
	s, _ := h.Store().Load()
	if want := time.Date(2024, 7, 1, 0, 0, 5, 0, time.UTC); !s.LastSlot.Equal(want) || s.LastResult != result.Success {
		t.Fatalf("checkpoint %+v", s)
	}
}

func TestRenewalsCarryTheAnnotations(t *testing.T) {
	a := newFakeAPI(t, map[string]any{"holderIdentity": ""})
	h := startHolder(t, a, "pod-a_1")
	end := time.Date(2024, 7, 1, 0, 0, 1, 500_000_000, time.UTC)
	h.Store().Save(checkpoint.State{}.With(result.Record{Slot: end.Add(-time.Second), Kind: result.Timeout, End: end}))
	waitfor.Until(t, "annotations written on a renewal", func() bool {
		an := a.Annotations()
		return an["periodic.dev/last-slot"] == "2024-07-01T00:00:00.5Z" && an["periodic.dev/last-failure"] == "2024-07-01T00:00:01.5Z" &&
			an["periodic.dev/last-result"] == "timeout"
	})
	if !held(h) {
		t.Fatal("hold lost while renewing")
	}
}

func TestStandbyWhileAnotherRenewsThenTakesOverWhenItStops(t *testing.T) {
	a := newFakeAPI(t, map[string]any{"holderIdentity": "pod-a_1", "leaseDurationSeconds": 1})
	var otherRenews atomic.Bool
	otherRenews.Store(true)
	stop := make(chan struct{})
	defer close(stop)
	go func() { // pod-a renews every 100ms, as long as the test says
		for {
			select {
			case <-stop:
				return
			case <-time.After(100 * time.Millisecond):
				if otherRenews.Load() {
					a.Edit(func(obj map[string]any) {
						obj["spec"].(map[string]any)["renewTime"] = time.Now().UTC().Format(microTime)
					})
				}
			}
		}
	}()
	h := startHolder(t, a, "pod-b_1")
	time.Sleep(3 * testDuration) // three lease durations of renewals: never taken (not a speed assertion)
	if held(h) || a.Holder() != "pod-a_1" {
		t.Fatalf("took a lease that is renewed (holder %q)", a.Holder())
	}
	otherRenews.Store(false) // pod-a dies without releasing
	waitfor.Until(t, "the expired lease taken over", func() bool { return held(h) })
	if a.Holder() != "pod-b_1" {
		t.Fatalf("holder %q", a.Holder())
	}
}

func TestReleaseHandsOver(t *testing.T) {
	a := newFakeAPI(t, map[string]any{"holderIdentity": ""})
	first := startHolder(t, a, "pod-a_1")
	second := startHolder(t, a, "pod-b_1")
	if !held(first) || held(second) {
		t.Fatal("not first holding, second standing by")
	}
	hold, _ := first.Hold()
	first.Store().Save(checkpoint.State{LastResult: result.Success, LastSuccess: time.Date(2024, 7, 1, 0, 0, 0, 0, time.UTC)})
	if err := first.Release(context.Background()); err != nil {
		t.Fatal(err)
	}
	if held(first) || !errors.Is(context.Cause(hold), ErrLost) {
		t.Fatalf("released holder still holds (cause %v)", context.Cause(hold))
	}
	if a.Annotations()["periodic.dev/last-success"] != "2024-07-01T00:00:00Z" {
		t.Fatalf("release did not write the annotations: %v", a.Annotations())
	}
	waitfor.Until(t, "the standby takes the released lease", func() bool { return held(second) })
}

func TestRenewsOverAnEditOfItsLease(t *testing.T) {
	a := newFakeAPI(t, map[string]any{"holderIdentity": ""})
	h := startHolder(t, a, "pod-a_1")
	hold, _ := h.Hold()
	a.Edit(func(obj map[string]any) {
		obj["metadata"].(map[string]any)["annotations"] = map[string]any{"edited": "by hand"}
	})
	edited := a.ResourceVersion()
	waitfor.Until(t, "a renewal after the edit", func() bool { return a.ResourceVersion() > edited })
	if hold.Err() != nil || !held(h) || a.Annotations()["edited"] != "by hand" {
		t.Fatalf("hold %v, annotations %v", context.Cause(hold), a.Annotations())
	}
}

func TestLosesTheHoldWhenTakenOver(t *testing.T) {
	a := newFakeAPI(t, map[string]any{"holderIdentity": ""})
	h := startHolder(t, a, "pod-a_1")
	hold, _ := h.Hold()
	a.Edit(func(obj map[string]any) { obj["spec"].(map[string]any)["holderIdentity"] = "pod-z_9" })
	select {
	case <-hold.Done():
	case <-time.After(30 * time.Second):
		t.Fatal("hold kept after a takeover")
	}
	if a.Holder() != "pod-z_9" {
		t.Fatalf("holder %q: the taken lease was written over", a.Holder())
	}
}
