package runloop

import (
	"strings"
	"testing"
	"time"

	"periodic.dev/runner/internal/checkpoint"
	"periodic.dev/runner/internal/result"
)

func TestFiresEverySlotOnce(t *testing.T) {
	h := start(t, Config{Slots: every(t, time.Second)}, at(500*time.Millisecond))
	for i := 1; i <= 3; i++ {
		slot := at(time.Duration(i) * time.Second)
		h.step(slot)
		r := h.started(slot, 1)
		if !r.a.Deadline.Equal(slot.Add(time.Hour)) {
			t.Fatalf("deadline %v", r.a.Deadline)
		}
		r.succeed()
		h.ended(slot, 1, result.Success)
	}
	if h.trig.most != 1 {
		t.Fatalf("%d runs overlapped", h.trig.most)
	}
}

func TestStallFiresOnlyTheLatestSlot(t *testing.T) {
	h := start(t, Config{Slots: every(t, time.Second)}, at(500*time.Millisecond))
	h.step(at(time.Second))
	h.started(at(time.Second), 1).succeed()
	h.ended(at(time.Second), 1, result.Success)
	// The process stalls past four slots: one run, for the latest, and it is no catch-up.
	if err := h.clock.AwaitWaiter(t.Context(), func(w time.Time) bool { return w.Equal(at(2 * time.Second)) }); err != nil {
		t.Fatal(err)
	}
	h.clock.Set(at(5500 * time.Millisecond))
	h.started(at(5*time.Second), 1).succeed()
	if rec := h.ended(at(5*time.Second), 1, result.Success); rec.CatchUp {
		t.Fatal("a stalled slot reported as catch-up")
	}
	h.quiet()
}

func TestDeadlineTimesOut(t *testing.T) {
	h := start(t, Config{Slots: every(t, time.Second), Timeout: 300 * time.Millisecond}, at(500*time.Millisecond))
	h.step(at(time.Second))
	h.started(at(time.Second), 1)
	h.step(at(1300 * time.Millisecond))
	rec := h.ended(at(time.Second), 1, result.Timeout)
	if !strings.Contains(rec.Detail, "deadline") || rec.Code != 143 {
		t.Fatalf("record %+v", rec)
	}
	h.step(at(2 * time.Second)) // the schedule goes on
	h.started(at(2*time.Second), 1).succeed()
	h.ended(at(2*time.Second), 1, result.Success)
}

func TestFailuresAreCountedAndTheScheduleGoesOn(t *testing.T) {
	h := start(t, Config{Slots: every(t, time.Second)}, at(500*time.Millisecond))
	h.step(at(time.Second))
	h.started(at(time.Second), 1).fail(3)
	if rec := h.ended(at(time.Second), 1, result.Failure); rec.Code != 3 {
		t.Fatalf("code %d", rec.Code)
	}
	h.step(at(2 * time.Second))
	h.started(at(2*time.Second), 1).succeed()
	h.ended(at(2*time.Second), 1, result.Success)
}

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

func TestRetriesInsideASlot(t *testing.T) {
	type attempt struct {
		timeOut bool // else it fails at once
		kind    result.Kind
	}
	tests := []struct {
		name      string
		timeout   time.Duration
		killGrace time.Duration
		retries   int
		attempts  []attempt
	}{
		{"no retries", 300 * time.Millisecond, 0, 0, []attempt{{false, result.Failure}}},
		{"failures retried at once, up to the retries", 300 * time.Millisecond, 0, 2,
			[]attempt{{false, result.Failure}, {false, result.Failure}, {false, result.Failure}}},
		{"timeouts retried while they end before the next slot", 300 * time.Millisecond, 0, 5,
			// 1.0→1.3, 1.3→1.6, 1.6→1.9; a fourth would end at 2.2, after the slot at 2.0.
			[]attempt{{true, result.Timeout}, {true, result.Timeout}, {true, result.Timeout}}},
		{"a retry that cannot end in time does not start", 400 * time.Millisecond, 0, 5,
			[]attempt{{true, result.Timeout}, {true, result.Timeout}}},
		{"a retry that would end exactly at the next slot does not start", 500 * time.Millisecond, 0, 5,
			[]attempt{{true, result.Timeout}}},
		{"the kill grace counts: a retry must end before the next slot even if killed", 300 * time.Millisecond, 100 * time.Millisecond, 5,
			// 1.0→1.3, 1.3→1.6; a third could end at 2.0 (1.6 + 0.3 + 0.1): not before the slot.
			[]attempt{{true, result.Timeout}, {true, result.Timeout}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := start(t, Config{Slots: every(t, time.Second), Timeout: tt.timeout, KillGrace: tt.killGrace, Retries: tt.retries}, at(500*time.Millisecond))
			slot := at(time.Second)
			h.step(slot)
			now := slot
			for i, a := range tt.attempts {
				r := h.started(slot, i+1)
				if a.timeOut {
					now = now.Add(tt.timeout)
					h.step(now)
				} else {
					r.fail(1)
				}
				h.ended(slot, i+1, a.kind)
			}
			h.quiet()
			h.step(at(2 * time.Second)) // the next slot starts afresh
			h.started(at(2*time.Second), 1).succeed()
			h.ended(at(2*time.Second), 1, result.Success)
		})
	}
}

func TestSuccessEndsTheRetries(t *testing.T) {
	h := start(t, Config{Slots: every(t, time.Second), Timeout: 100 * time.Millisecond, Retries: 3}, at(500*time.Millisecond))
	h.step(at(time.Second))
	h.started(at(time.Second), 1).fail(1)
	h.ended(at(time.Second), 1, result.Failure)
	h.started(at(time.Second), 2).succeed()
	h.ended(at(time.Second), 2, result.Success)
	h.quiet()
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

func TestChainedFixedDelay(t *testing.T) {
	d := fixedDelay(t, time.Second)
	h := start(t, Config{Slots: d, Chained: true, FirstDelay: 250 * time.Millisecond}, t0)
	h.step(at(250 * time.Millisecond))
	r := h.started(at(250*time.Millisecond), 1)
	h.clock.Set(at(700 * time.Millisecond)) // the run takes 450ms
	r.succeed()
	h.ended(at(250*time.Millisecond), 1, result.Success)
	h.step(at(1700 * time.Millisecond)) // one interval after the end
	h.started(at(1700*time.Millisecond), 1).succeed()
	h.ended(at(1700*time.Millisecond), 1, result.Success)
}

func TestChainedStartsNoEarlierThanTheCheckpointAllows(t *testing.T) {
	store := &memStore{s: checkpoint.State{LastSlot: at(-200 * time.Millisecond)}}
	h := start(t, Config{Slots: fixedDelay(t, time.Second), Chained: true}, t0, WithStore(store))
	h.step(at(800 * time.Millisecond))
	h.started(at(800*time.Millisecond), 1).succeed()
	h.ended(at(800*time.Millisecond), 1, result.Success)
}

func TestShutdownLetsTheRunEndAndStartsNoRetry(t *testing.T) {
	h := start(t, Config{Slots: every(t, time.Second), Retries: 3}, at(500*time.Millisecond))
	h.step(at(time.Second))
	r := h.started(at(time.Second), 1)
	h.cancel()
	select {
	case <-h.done:
		t.Fatal("Run returned with a run in flight")
	case <-time.After(20 * time.Millisecond):
	}
	r.fail(1)
	h.ended(at(time.Second), 1, result.Failure)
	select {
	case <-h.done:
	case <-time.After(generous):
		t.Fatal("Run did not return")
	}
	h.quiet()
}

func TestConfigValidation(t *testing.T) {
	s := every(t, time.Second)
	ok := Config{Slots: s, Timeout: time.Second, Policy: Forbid, Missed: Skip}
	tests := []struct {
		name   string
		change func(*Config)
		want   string
	}{
		{"no schedule", func(c *Config) { c.Slots = nil }, "no schedule"},
		{"no timeout", func(c *Config) { c.Timeout = 0 }, "timeout"},
		{"negative retries", func(c *Config) { c.Retries = -1 }, "retries"},
		{"negative kill grace", func(c *Config) { c.KillGrace = -1 }, "kill grace"},
		{"bad policy", func(c *Config) { c.Policy = "Sometimes" }, "concurrency policy"},
		{"Allow without a bound", func(c *Config) { c.Policy = Allow }, "max concurrent"},
		{"bad missed-runs", func(c *Config) { c.Missed = "Twice" }, "missed-runs"},
	}
	if _, err := New(ok, newFakeTrigger()); err != nil {
		t.Fatalf("valid config refused: %v", err)
	}
	for _, tt := range tests {
		c := ok
		tt.change(&c)
		if _, err := New(c, newFakeTrigger()); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err %v, want %q", tt.name, err, tt.want)
		}
	}
}
