package trigger

import (
	"slices"
	"testing"
	"time"
)

func TestFormatTime(t *testing.T) {
	tests := []struct {
		in   time.Time
		want string
	}{
		{time.Date(2024, 7, 1, 12, 0, 0, 0, time.UTC), "2024-07-01T12:00:00Z"},
		{time.Date(2024, 7, 1, 12, 0, 0, 100_000_000, time.UTC), "2024-07-01T12:00:00.1Z"},
		{time.Date(2024, 7, 1, 14, 0, 0, 123_456_789, time.FixedZone("CEST", 7200)), "2024-07-01T12:00:00.123456789Z"},
	}
	for _, tt := range tests {
		if got := FormatTime(tt.in); got != tt.want {
			t.Errorf("FormatTime(%v) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestEnvReplacesInheritedPeriodicVariables(t *testing.T) {
	static := staticEnv([]string{"PATH=/bin", "PERIODIC_SLOT=stale", "PERIODIC_TASK=stale", "HOME=/h"},
		settings{task: "ns/demo", stateDir: "/state"})
	got := runEnv(static, Attempt{Slot: slot, Number: 2})
	want := []string{"PATH=/bin", "HOME=/h", "PERIODIC_TASK=ns/demo", "PERIODIC_STATE_DIR=/state",
		"PERIODIC_SLOT=2024-07-01T12:00:00.25Z", "PERIODIC_ATTEMPT=2"}
	if !slices.Equal(got, want) {
		t.Fatalf("env\n got %q\nwant %q", got, want)
	}
	// runEnv never writes into the shared static slice.
	again := runEnv(static, Attempt{Slot: slot, Number: 3})
	if got[len(got)-1] != "PERIODIC_ATTEMPT=2" || again[len(again)-1] != "PERIODIC_ATTEMPT=3" {
		t.Fatalf("runs share their environment: %q %q", got, again)
	}
}

func TestEnvLeavesOutUnknownTaskAndStateDir(t *testing.T) {
	got := staticEnv([]string{"PATH=/bin"}, settings{})
	if !slices.Equal(got, []string{"PATH=/bin"}) {
		t.Fatalf("env %q", got)
	}
}
