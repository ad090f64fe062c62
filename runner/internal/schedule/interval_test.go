package schedule

import (
	"testing"
	"time"
)

func ts(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestFixedRateNext(t *testing.T) {
	tests := []struct {
		name   string
		period time.Duration
		offset time.Duration
		after  string
		want   []string
	}{
		{"100ms aligned to the epoch", 100 * time.Millisecond, 0, "2024-07-01T00:00:00.05Z",
			[]string{"2024-07-01T00:00:00.1Z", "2024-07-01T00:00:00.2Z", "2024-07-01T00:00:00.3Z"}},
		{"strictly after a slot", 5 * time.Second, 0, "2024-07-01T00:00:05Z",
			[]string{"2024-07-01T00:00:10Z", "2024-07-01T00:00:15Z"}},
		{"90m counts from the epoch, not the hour", 90 * time.Minute, 0, "2024-07-01T00:00:00Z",
			// 2024-07-01T00:00Z is 19905 days = 318480 periods of 90m after the epoch: a slot itself.
			[]string{"2024-07-01T01:30:00Z", "2024-07-01T03:00:00Z"}},
		{"7s across a minute boundary", 7 * time.Second, 0, "2024-07-01T00:00:00Z",
			// 1719792000 s = 245684571 × 7 + 3, so the slots are at …:04, …:11.
			[]string{"2024-07-01T00:00:04Z", "2024-07-01T00:00:11Z"}},
		{"jitter offset shifts every slot", 10 * time.Second, 3250 * time.Millisecond, "2024-07-01T00:00:00Z",
			[]string{"2024-07-01T00:00:03.25Z", "2024-07-01T00:00:13.25Z"}},
		{"jitter offset just before the slot", 10 * time.Second, 3250 * time.Millisecond, "2024-07-01T00:00:03.249Z",
			[]string{"2024-07-01T00:00:03.25Z", "2024-07-01T00:00:13.25Z"}},
		{"jitter offset at the slot", 10 * time.Second, 3250 * time.Millisecond, "2024-07-01T00:00:03.25Z",
			[]string{"2024-07-01T00:00:13.25Z"}},
		{"offset longer than the period wraps", time.Minute, 61 * time.Second, "2024-07-01T00:00:00Z",
			[]string{"2024-07-01T00:00:01Z", "2024-07-01T00:01:01Z"}},
		{"before the epoch", time.Second, 0, "1969-12-31T23:59:58.5Z",
			[]string{"1969-12-31T23:59:59Z", "1970-01-01T00:00:00Z"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := FixedRate(tt.period)
			if err != nil {
				t.Fatal(err)
			}
			s := WithOffset(r, tt.offset)
			at := ts(tt.after)
			for i, w := range tt.want {
				at = s.Next(at)
				if !at.Equal(ts(w)) {
					t.Fatalf("slot %d = %s, want %s", i, at.Format(time.RFC3339Nano), w)
				}
			}
		})
	}
}

func TestFixedRateSurvivesRestart(t *testing.T) {
	// Two runners started at different instants agree on every slot.
	r, _ := FixedRate(300 * time.Millisecond)
	a, b := r.Next(ts("2024-07-01T00:00:00.001Z")), r.Next(ts("2024-07-01T00:00:00.299Z"))
	if !a.Equal(b) {
		t.Fatalf("%v != %v", a, b)
	}
}

func TestFixedDelayNext(t *testing.T) {
	d, err := FixedDelay(1500 * time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	end := ts("2024-07-01T00:00:00.123Z")
	if got, want := d.Next(end), ts("2024-07-01T00:00:01.623Z"); !got.Equal(want) {
		t.Fatalf("Next(%v) = %v, want %v", end, got, want)
	}
}

func TestIntervalsRefuseNonPositive(t *testing.T) {
	for _, d := range []time.Duration{0, -time.Second} {
		if _, err := FixedRate(d); err == nil {
			t.Errorf("FixedRate(%v) accepted", d)
		}
		if _, err := FixedDelay(d); err == nil {
			t.Errorf("FixedDelay(%v) accepted", d)
		}
	}
}
