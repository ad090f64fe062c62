package schedule

import (
	"testing"
	"time"
)

func TestLatest(t *testing.T) {
	rate100ms, _ := FixedRate(100 * time.Millisecond)
	hourly, _ := Cron("0 * * * *", "UTC")
	day1, _ := Cron("* * 1 * *", "UTC") // every minute of the 1st of each month
	never := WithOffset(rate100ms, 0)
	tests := []struct {
		name        string
		s           Slots
		after, upTo string
		want        string // "" for none
	}{
		{"one slot due", rate100ms, "2024-07-01T00:00:00.05Z", "2024-07-01T00:00:00.1003Z", "2024-07-01T00:00:00.1Z"},
		{"none due yet", rate100ms, "2024-07-01T00:00:00.05Z", "2024-07-01T00:00:00.09Z", ""},
		{"empty range", rate100ms, "2024-07-01T00:00:00.1Z", "2024-07-01T00:00:00.1Z", ""},
		{"after excludes its slot", rate100ms, "2024-07-01T00:00:00.1Z", "2024-07-01T00:00:00.15Z", ""},
		{"upTo includes its slot", rate100ms, "2024-07-01T00:00:00.05Z", "2024-07-01T00:00:00.2Z", "2024-07-01T00:00:00.2Z"},
		{"a few missed", rate100ms, "2024-07-01T00:00:00Z", "2024-07-01T00:00:00.55Z", "2024-07-01T00:00:00.5Z"},
		{"two days down at 100ms", never, "2024-07-01T00:00:00Z", "2024-07-03T00:00:00.25Z", "2024-07-03T00:00:00.2Z"},
		{"hourly, a week down", hourly, "2024-07-01T00:00:00Z", "2024-07-08T05:59:59Z", "2024-07-08T05:00:00Z"},
		{"burst far back", day1, "2024-06-30T00:00:00Z", "2024-07-05T00:00:00Z", "2024-07-01T23:59:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := Latest(tt.s, ts(tt.after), ts(tt.upTo))
			if tt.want == "" {
				if ok {
					t.Fatalf("Latest = %v, want none", got)
				}
				return
			}
			if !ok || !got.Equal(ts(tt.want)) {
				t.Fatalf("Latest = %v (%v), want %s", got.UTC().Format(time.RFC3339Nano), ok, tt.want)
			}
		})
	}
}
