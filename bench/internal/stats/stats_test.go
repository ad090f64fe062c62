package stats

import (
	"testing"
	"time"
)

func ms(v ...float64) []time.Duration {
	out := make([]time.Duration, len(v))
	for i, x := range v {
		out[i] = time.Duration(x * float64(time.Millisecond))
	}
	return out
}

func TestPercentileNearestRank(t *testing.T) {
	hundred := make([]time.Duration, 100)
	for i := range hundred {
		hundred[i] = time.Duration(i+1) * time.Millisecond // 1ms … 100ms
	}
	sixty := hundred[:60]
	for _, tc := range []struct {
		name   string
		sorted []time.Duration
		p      float64
		want   time.Duration
	}{
		{"single value is every percentile", ms(3), 99, 3 * time.Millisecond},
		{"p50 of an even count is the lower middle", ms(1, 2, 3, 4), 50, 2 * time.Millisecond},
		{"p50 of an odd count is the middle", ms(1, 2, 3, 4, 5), 50, 3 * time.Millisecond},
		{"p99 of 100 is the 99th", hundred, 99, 99 * time.Millisecond},
		{"p99 of 60 is the largest", sixty, 99, 60 * time.Millisecond},
		{"p100 is the maximum", hundred, 100, 100 * time.Millisecond},
		{"tiny p is the minimum", hundred, 0.1, time.Millisecond},
		{"negative values (early) sort first", ms(-0.5, 0.1, 0.2), 50, 100 * time.Microsecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Percentile(tc.sorted, tc.p); got != tc.want {
				t.Errorf("Percentile(p%v) = %v, want %v", tc.p, got, tc.want)
			}
		})
	}
}

func TestSummarize(t *testing.T) {
	in := ms(5, 1, 4, 2, 3)
	got := Summarize(in)
	want := Summary{N: 5, P50: 3 * time.Millisecond, P99: 5 * time.Millisecond, Max: 5 * time.Millisecond}
	if got != want {
		t.Errorf("Summarize = %+v, want %+v", got, want)
	}
	if in[0] != 5*time.Millisecond {
		t.Error("Summarize sorted its argument in place")
	}
	if got := Summarize(nil); got != (Summary{}) {
		t.Errorf("Summarize(nil) = %+v, want the zero Summary", got)
	}
}

func TestRatio(t *testing.T) {
	if r, ok := Ratio(3*time.Millisecond, 2*time.Millisecond); !ok || r != 1.5 {
		t.Errorf("Ratio(3ms, 2ms) = %v, %v; want 1.5, true", r, ok)
	}
	if _, ok := Ratio(time.Millisecond, 0); ok {
		t.Error("Ratio(x, 0) ok; want no ratio")
	}
	if _, ok := Ratio(time.Millisecond, -time.Millisecond); ok {
		t.Error("Ratio(x, negative) ok; want no ratio")
	}
}
