package runloop

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"periodic.dev/runner/internal/checkpoint"
	"periodic.dev/runner/internal/result"
	"periodic.dev/runner/internal/schedule"
)

// fakeGuard holds or not, as the test says.
type fakeGuard struct {
	mu      sync.Mutex
	ctx     context.Context
	cancel  context.CancelCauseFunc
	changed chan struct{}
}

func newFakeGuard() *fakeGuard { return &fakeGuard{changed: make(chan struct{})} }

func (g *fakeGuard) Hold() (context.Context, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.ctx, g.ctx != nil
}

func (g *fakeGuard) Changed() <-chan struct{} { g.mu.Lock(); defer g.mu.Unlock(); return g.changed }

func (g *fakeGuard) set(held bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if held && g.ctx == nil {
		g.ctx, g.cancel = context.WithCancelCause(context.Background())
	} else if !held && g.ctx != nil {
		g.cancel(errors.New("lease lost"))
		g.ctx = nil
	}
	close(g.changed)
	g.changed = make(chan struct{})
}

func TestStandbyRunsNothing(t *testing.T) {
	g := newFakeGuard()
	h := start(t, Config{Slots: every(t, time.Second)}, at(500*time.Millisecond), WithGuard(g))
	h.step(at(time.Second))
	h.step(at(2 * time.Second))
	h.quiet()
	g.set(true)
	h.step(at(3 * time.Second))
	h.started(at(3*time.Second), 1).succeed()
	h.ended(at(3*time.Second), 1, result.Success)
}

func TestLostHoldStopsTheRun(t *testing.T) {
	g := newFakeGuard()
	g.set(true)
	h := start(t, Config{Slots: every(t, time.Second), Retries: 2}, at(500*time.Millisecond), WithGuard(g))
	h.step(at(time.Second))
	h.started(at(time.Second), 1)
	g.set(false)
	if rec := h.ended(at(time.Second), 1, result.Failure); !strings.Contains(rec.Detail, "lease lost") {
		t.Fatalf("detail %q", rec.Detail)
	}
	h.quiet() // no retry without the hold
	h.step(at(2 * time.Second))
	h.quiet()
	h.rec.mu.Lock()
	defer h.rec.mu.Unlock()
	if len(h.rec.holding) != 2 || !h.rec.holding[0] || h.rec.holding[1] {
		t.Fatalf("holding changes %v, want [true false]", h.rec.holding)
	}
}

func TestGainingTheHoldRunsOnceFromTheCheckpoint(t *testing.T) {
	// The other runner finished the slot at 1s; this one takes over between slots.
	g := newFakeGuard()
	store := &memStore{s: checkpoint.State{LastSlot: at(time.Second)}}
	rate, _ := schedule.FixedRate(time.Second)
	h := start(t, Config{Slots: rate, Missed: RunOnce}, at(1500*time.Millisecond), WithGuard(g), WithStore(store))
	h.step(at(2 * time.Second)) // standby: slot 2 passes unrun
	h.quiet()
	g.set(true)
	h.step(at(3 * time.Second)) // the latest of the slots 2 and 3: one run, not a burst
	h.started(at(3*time.Second), 1).succeed()
	h.ended(at(3*time.Second), 1, result.Success)
	h.quiet()
}
