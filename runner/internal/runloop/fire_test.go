package runloop

import (
	"strings"
	"testing"
	"time"

	"periodic.dev/runner/internal/checkpoint"
	"periodic.dev/runner/internal/result"
)

func TestConcurrency(t *testing.T) {
	slot1, slot2, slot3 := at(time.Second), at(2*time.Second), at(3*time.Second)
	t.Run("Forbid skips a slot that comes during a run", func(t *testing.T) {
		h := start(t, Config{Slots: every(t, time.Second), Policy: Forbid}, at(500*time.Millisecond))
		h.step(slot1)
		r1 := h.started(slot1, 1)
		h.step(slot2)
		if rec := h.ended(slot2, 0, result.Skipped); !strings.Contains(rec.Detail, "Forbid") {
			t.Fatalf("detail %q", rec.Detail)
		}
		r1.succeed()
		h.ended(slot1, 1, result.Success)
		h.step(slot3)
		h.started(slot3, 1).succeed()
		h.ended(slot3, 1, result.Success)
		if h.trig.most != 1 {
			t.Fatalf("%d runs overlapped under Forbid", h.trig.most)
		}
	})
	t.Run("Allow runs up to max-concurrent, skips beyond", func(t *testing.T) {
		h := start(t, Config{Slots: every(t, time.Second), Policy: Allow, MaxConcurrent: 2}, at(500*time.Millisecond))
		h.step(slot1)
		r1 := h.started(slot1, 1)
		h.step(slot2)
		r2 := h.started(slot2, 1)
		h.step(slot3)
		if rec := h.ended(slot3, 0, result.Skipped); !strings.Contains(rec.Detail, "max-concurrent") {
			t.Fatalf("detail %q", rec.Detail)
		}
		r2.succeed()
		h.ended(slot2, 1, result.Success)
		r1.succeed()
		h.ended(slot1, 1, result.Success)
		if h.trig.most != 2 {
			t.Fatalf("most in flight %d, want 2", h.trig.most)
		}
	})
	t.Run("Replace stops the run in flight, then starts", func(t *testing.T) {
		h := start(t, Config{Slots: every(t, time.Second), Policy: Replace}, at(500*time.Millisecond))
		h.step(slot1)
		h.started(slot1, 1)
		h.step(slot2)
		if rec := h.ended(slot1, 1, result.Failure); !strings.Contains(rec.Detail, "replaced") {
			t.Fatalf("detail %q", rec.Detail)
		}
		h.started(slot2, 1).succeed()
		h.ended(slot2, 1, result.Success)
		if h.trig.most != 1 {
			t.Fatalf("%d runs overlapped under Replace", h.trig.most)
		}
	})
}

func TestMissedRuns(t *testing.T) {
	tests := []struct {
		name       string
		missed     Missed
		checkpoint time.Time // last finished slot; zero for none
		catchUp    time.Time // the slot run at once; zero for none
	}{
		{"Skip after downtime runs nothing extra", Skip, at(-time.Hour), time.Time{}},
		{"RunOnce after downtime runs the latest missed slot once", RunOnce, at(-time.Hour), t0},
		{"RunOnce after one missed slot", RunOnce, at(-time.Second), t0},
		{"RunOnce with nothing missed", RunOnce, t0, time.Time{}},
		{"RunOnce without a checkpoint (a new task)", RunOnce, time.Time{}, time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store := &memStore{s: checkpoint.State{LastSlot: tt.checkpoint}}
			h := start(t, Config{Slots: every(t, time.Second), Missed: tt.missed}, at(500*time.Millisecond), WithStore(store))
			if !tt.catchUp.IsZero() {
				h.started(tt.catchUp, 1).succeed()
				if rec := h.ended(tt.catchUp, 1, result.Success); !rec.CatchUp {
					t.Fatal("catch-up run not marked")
				}
			}
			h.step(at(time.Second))
			h.started(at(time.Second), 1).succeed()
			h.ended(at(time.Second), 1, result.Success)
			if got := store.s.LastSlot; !got.Equal(at(time.Second)) {
				t.Fatalf("checkpoint %v, want %v", got, at(time.Second))
			}
		})
	}
}

func TestCatchUpFollowsTheConcurrencyPolicy(t *testing.T) {
	store := &memStore{s: checkpoint.State{LastSlot: at(-time.Hour)}}
	h := start(t, Config{Slots: every(t, time.Second), Missed: RunOnce}, at(900*time.Millisecond), WithStore(store))
	r := h.started(t0, 1) // the catch-up, still running at the next slot
	h.step(at(time.Second))
	h.ended(at(time.Second), 0, result.Skipped)
	r.succeed()
	h.ended(t0, 1, result.Success)
}
