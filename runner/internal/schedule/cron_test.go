package schedule

import (
	"errors"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the zones below, whatever the machine has installed
)

func TestCronNext(t *testing.T) {
	tests := []struct {
		name, expr, zone, after string
		want                    []string
	}{
		{"five fields, UTC by default", "*/5 * * * *", "", "2024-07-01T00:03:00Z",
			[]string{"2024-07-01T00:05:00Z", "2024-07-01T00:10:00Z"}},
		{"C01: day-of-month and day-of-week mean OR", "0 9 1-7 * 1", "UTC", "2024-07-01T00:00:00Z",
			[]string{"2024-07-01T09:00:00Z", "2024-07-02T09:00:00Z", "2024-07-03T09:00:00Z", "2024-07-04T09:00:00Z",
				"2024-07-05T09:00:00Z", "2024-07-06T09:00:00Z", "2024-07-07T09:00:00Z", "2024-07-08T09:00:00Z",
				"2024-07-15T09:00:00Z", "2024-07-22T09:00:00Z", "2024-07-29T09:00:00Z", "2024-08-01T09:00:00Z"}},
		{"C01: a step restricts the field", "0 0 */2 * 1", "UTC", "2024-07-01T00:00:00Z",
			[]string{"2024-07-03T00:00:00Z", "2024-07-05T00:00:00Z", "2024-07-07T00:00:00Z", "2024-07-08T00:00:00Z",
				"2024-07-09T00:00:00Z", "2024-07-11T00:00:00Z"}},
		{"C03: leap day", "0 0 29 2 *", "UTC", "2025-01-01T00:00:00Z", []string{"2028-02-29T00:00:00Z"}},
		{"C04: six fields, seconds first", "*/10 * * * * *", "UTC", "2024-07-01T00:00:05.5Z",
			[]string{"2024-07-01T00:00:10Z", "2024-07-01T00:00:20Z"}},
		{"C04: question mark means star", "0 0 10 * * ?", "UTC", "2024-07-01T00:00:00Z",
			[]string{"2024-07-01T10:00:00Z", "2024-07-02T10:00:00Z"}},
		{"C05: every 7 minutes restarts at the hour", "*/7 * * * *", "UTC", "2024-07-01T00:50:00Z",
			[]string{"2024-07-01T00:56:00Z", "2024-07-01T01:00:00Z", "2024-07-01T01:07:00Z", "2024-07-01T01:14:00Z"}},
		{"macro", "@hourly", "UTC", "2024-07-01T00:00:00Z", []string{"2024-07-01T01:00:00Z"}},
		{"zone: 06:00 in Berlin summer", "0 6 * * *", "Europe/Berlin", "2024-07-01T00:00:00Z",
			[]string{"2024-07-01T04:00:00Z", "2024-07-02T04:00:00Z"}},
		{"zone: 06:00 in Berlin winter", "0 6 * * *", "Europe/Berlin", "2024-12-01T00:00:00Z",
			[]string{"2024-12-01T05:00:00Z"}},
		{"DST spring forward: 02:30 does not exist and is skipped", "30 2 * * *", "Europe/Berlin", "2024-03-30T12:00:00Z",
			[]string{"2024-04-01T00:30:00Z"}},
		{"DST fall back: 02:30 happens twice and fires twice", "30 2 * * *", "Europe/Berlin", "2024-10-26T12:00:00Z",
			[]string{"2024-10-27T00:30:00Z", "2024-10-27T01:30:00Z", "2024-10-28T01:30:00Z"}},
		{"macro in a zone", "@daily", "America/New_York", "2024-07-01T12:00:00Z", []string{"2024-07-02T04:00:00Z"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Cron(tt.expr, tt.zone)
			if err != nil {
				t.Fatal(err)
			}
			at := ts(tt.after)
			for i, w := range tt.want {
				at = s.Next(at)
				if !at.Equal(ts(w)) {
					t.Fatalf("slot %d = %s, want %s", i, at.UTC().Format(time.RFC3339Nano), w)
				}
			}
		})
	}
}

func TestCronRefuses(t *testing.T) {
	tests := []struct{ name, expr, zone, wantInErr string }{
		{"CRON_TZ prefix", "CRON_TZ=Europe/Berlin 0 6 * * *", "", "time zone setting"},
		{"TZ prefix", "TZ=UTC 0 6 * * *", "", "time zone setting"},
		{"@every", "@every 5s", "", "use an interval"},
		{"unknown zone", "0 6 * * *", "America/New_Yrok", "unknown time zone"},
		{"Local zone", "0 6 * * *", "Local", "unknown time zone"},
		{"never fires: Feb 30", "0 0 30 2 *", "", "can never fire"},
		{"never fires: Apr 31", "0 0 31 4 *", "", "can never fire"},
		{"hash", "0 0 8-9 * 0#2", "", "0#2"},
		{"L", "0 0 * * L5", "", "L5"},
		{"W", "0 0 15W * *", "", "15W"},
		{"four fields", "0 0 * *", "", "expected exactly 5 fields"},
		{"seven fields", "0 0 0 * * * *", "", "expected exactly 5 fields"},
		{"empty", " ", "", "schedule is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Cron(tt.expr, tt.zone)
			if err == nil {
				t.Fatalf("Cron(%q, %q) accepted", tt.expr, tt.zone)
			}
			if !strings.Contains(err.Error(), tt.wantInErr) {
				t.Fatalf("error %q does not contain %q", err, tt.wantInErr)
			}
		})
	}
	if _, err := Cron("0 0 30 2 *", ""); !errors.Is(err, ErrNeverFires) {
		t.Fatalf("Feb 30: %v is not ErrNeverFires", err)
	}
}
