package lease

import (
	"context"
	"errors"
	"testing"
	"time"

	"periodic.dev/runner/internal/lease/leasetest"
	"periodic.dev/runner/internal/waitfor"
)

// Short timings for the tests: renew every 250ms, retry every 100ms, lost after 500ms.

const testDuration, testRenewDeadline = time.Second, 500 * time.Millisecond

func newHolder(t *testing.T, a *leasetest.Server, identity string) *Holder {
	t.Helper()
	h, err := NewHolder(clientFor(t, a), identity, testDuration, testRenewDeadline)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func startHolder(t *testing.T, a *leasetest.Server, identity string) *Holder {
	t.Helper()
	h := newHolder(t, a, identity)
	if err := h.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Release(context.Background()) })
	return h
}

func held(h *Holder) bool { _, ok := h.Hold(); return ok }

func TestNewHolderRefusesBadTimings(t *testing.T) {
	a := newFakeAPI(t, map[string]any{})
	for _, tt := range []struct{ duration, deadline time.Duration }{
		{1500 * time.Millisecond, time.Second}, {0, 0}, {15 * time.Second, 15 * time.Second}, {15 * time.Second, 0},
	} {
		if _, err := NewHolder(clientFor(t, a), "me", tt.duration, tt.deadline); err == nil {
			t.Errorf("NewHolder(%v, %v) accepted", tt.duration, tt.deadline)
		}
	}
}

func TestLosesTheHoldWhenTheAPIIsGoneForTheRenewDeadline(t *testing.T) {
	a := newFakeAPI(t, map[string]any{"holderIdentity": ""})
	h := startHolder(t, a, "pod-a_1")
	hold, ok := h.Hold()
	if !ok {
		t.Fatal("not held")
	}
	changed := h.Changed()
	a.SetDown(true)
	select {
	case <-hold.Done():
	case <-time.After(30 * time.Second):
		t.Fatal("hold not lost")
	}
	<-changed
	if !errors.Is(context.Cause(hold), ErrLost) || held(h) {
		t.Fatalf("cause %v", context.Cause(hold))
	}
	a.SetDown(false) // back: the lease still names us, so we take it again
	waitfor.Until(t, "hold regained", func() bool { return held(h) })
}

func TestStartFailsWhenTheAPICannotBeReached(t *testing.T) {
	a := newFakeAPI(t, map[string]any{})
	a.SetDown(true)
	h := newHolder(t, a, "pod-a_1")
	if err := h.Start(context.Background()); err == nil {
		t.Fatal("Start succeeded against an API that is down")
	}
	a.Close()
	h = newHolder(t, a, "pod-a_1")
	if err := h.Start(context.Background()); err == nil {
		t.Fatal("Start succeeded against no API")
	}
}

func TestTwoHoldersNeverHoldAtOnce(t *testing.T) {
	a := newFakeAPI(t, map[string]any{"holderIdentity": ""})
	x, y := startHolder(t, a, "pod-a_1"), startHolder(t, a, "pod-b_1")
	deadline := time.Now().Add(3 * time.Second)
	flip := time.Now()
	for time.Now().Before(deadline) {
		if held(x) && held(y) {
			t.Fatal("both hold the lease")
		}
		if time.Since(flip) > 700*time.Millisecond { // outages make the holders lose and race again
			a.SetDown(!a.Down())
			flip = time.Now()
		}
		time.Sleep(time.Millisecond)
	}
}
