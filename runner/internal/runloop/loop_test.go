package runloop

import (
	"strings"
	"testing"
	"time"

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
	r := h.started(at(5*time.Second), 1)
	// The three slots slept through are counted, as one record, once the run is launched.
	if skip := h.ended(at(2*time.Second), 0, result.Skipped); skip.Passed != 3 || skip.Slots() != 3 {
		t.Fatalf("passed-over record %+v, want 3 slots from 2s", skip)
	}
	r.succeed()
	if rec := h.ended(at(5*time.Second), 1, result.Success); rec.CatchUp {
		t.Fatal("a stalled slot reported as catch-up")
	}
	h.quiet()
}

func TestOnTimeWakeUpsCountNothingPassed(t *testing.T) {
	h := start(t, Config{Slots: every(t, time.Second)}, at(500*time.Millisecond))
	for i := 1; i <= 3; i++ {
		slot := at(time.Duration(i) * time.Second)
		if err := h.clock.AwaitWaiter(t.Context(), func(w time.Time) bool { return w.Equal(slot) }); err != nil {
			t.Fatal(err)
		}
		h.clock.Set(slot.Add(time.Millisecond)) // late by 1ms: still the first slot after the last wake
		h.started(slot, 1).succeed()
		h.ended(slot, 1, result.Success)
	}
	h.quiet()
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
