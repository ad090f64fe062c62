package health

import (
	"strings"
	"testing"
	"time"

	"periodic.dev/runner/internal/clock"
	"periodic.dev/runner/internal/result"
	"periodic.dev/runner/internal/schedule"
)

var t0 = time.Date(2024, 7, 1, 0, 0, 0, 0, time.UTC)

func TestCheck(t *testing.T) {
	every10s, _ := schedule.FixedRate(10 * time.Second)
	weekdays, _ := schedule.Cron("0 9 * * 1-5", "UTC") // 2024-07-05 is a Friday
	tests := []struct {
		name     string
		slots    schedule.Slots
		held     bool
		finished time.Time // last end
		now      time.Time
		healthy  bool
	}{
		{"standby is healthy however long", every10s, false, t0, t0.Add(24 * time.Hour), true},
		// Due at 10s, 2 attempts × (3s + 1s) + 5s margin: by 23s.
		{"within the budget", every10s, true, t0, t0.Add(23 * time.Second), true},
		{"past the budget: stuck", every10s, true, t0, t0.Add(23*time.Second + time.Millisecond), false},
		{"a weekend is no stall", weekdays, true, time.Date(2024, 7, 5, 9, 0, 1, 0, time.UTC), time.Date(2024, 7, 8, 9, 0, 12, 0, time.UTC), true},
		{"Monday's run overdue", weekdays, true, time.Date(2024, 7, 5, 9, 0, 1, 0, time.UTC), time.Date(2024, 7, 8, 9, 0, 14, 0, time.UTC), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := clock.NewFake(tt.now)
			tr := New(c, tt.slots, 2, 3*time.Second, time.Second)
			tr.Holding(tt.held, tt.finished)
			err := tr.Check()
			if (err == nil) != tt.healthy {
				t.Fatalf("Check() = %v, want healthy %v", err, tt.healthy)
			}
			if err != nil && !strings.Contains(err.Error(), "stuck") {
				t.Fatalf("message %q", err)
			}
		})
	}
}

func TestRunsKeepItHealthyAndSkipsDoNot(t *testing.T) {
	every10s, _ := schedule.FixedRate(10 * time.Second)
	c := clock.NewFake(t0)
	tr := New(c, every10s, 1, time.Second, time.Second) // budget 7s after each due slot
	tr.Holding(true, t0)
	for i := 1; i <= 5; i++ {
		slot := t0.Add(time.Duration(i) * 10 * time.Second)
		c.Set(slot.Add(time.Second))
		tr.RunEnded(result.Record{Slot: slot, Kind: result.Failure, End: slot.Add(time.Second)})
		if err := tr.Check(); err != nil {
			t.Fatalf("after run %d: %v", i, err)
		}
	}
	last := t0.Add(51 * time.Second)
	for i := 6; i <= 8; i++ { // slots skipped behind a hung run
		c.Set(t0.Add(time.Duration(i) * 10 * time.Second))
		tr.RunEnded(result.Record{Slot: c.Now(), Kind: result.Skipped, End: c.Now()})
	}
	if err := tr.Check(); err == nil || !strings.Contains(err.Error(), last.Format(time.RFC3339)) {
		t.Fatalf("Check() = %v, want stuck since %v", err, last)
	}
}

func TestFixedDelayFirstRunDelayIsNoStall(t *testing.T) {
	every1s, _ := schedule.FixedDelay(time.Second)
	c := clock.NewFake(t0)
	tr := New(c, every1s, 1, time.Second, time.Second) // budget 7s after the due run
	tr.FirstRunNotBefore(t0.Add(60 * time.Second))     // --jitter-offset 60s
	tr.Holding(true, t0)
	c.Set(t0.Add(66 * time.Second))
	if err := tr.Check(); err != nil {
		t.Fatalf("waiting out the first-run delay reported as stuck: %v", err)
	}
	c.Set(t0.Add(67*time.Second + time.Millisecond))
	if err := tr.Check(); err == nil {
		t.Fatal("the first run overdue past delay + budget, still healthy")
	}
	// Once a run has ended the delay no longer counts: due 1s after the end.
	tr.RunEnded(result.Record{Slot: t0.Add(60 * time.Second), Kind: result.Success, End: t0.Add(70 * time.Second)})
	c.Set(t0.Add(78 * time.Second))
	if err := tr.Check(); err != nil {
		t.Fatalf("within the budget after a run: %v", err)
	}
	c.Set(t0.Add(78*time.Second + time.Millisecond))
	if err := tr.Check(); err == nil {
		t.Fatal("overdue after a run, still healthy")
	}
}
