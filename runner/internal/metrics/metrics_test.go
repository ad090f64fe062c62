package metrics

import (
	"net/http/httptest"
	"runtime"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"periodic.dev/runner/internal/clock"
	"periodic.dev/runner/internal/result"
)

var t0 = time.Date(2024, 7, 1, 0, 0, 0, 0, time.UTC)

// scrape reads /metrics as Prometheus does, with Prometheus's own text parser.
func scrape(t *testing.T, m *Metrics) map[string]*dto.MetricFamily {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if ct := rec.Header().Get("Content-Type"); ct != contentType {
		t.Errorf("Content-Type %q, want %q", ct, contentType)
	}
	parser := expfmt.NewTextParser(model.LegacyValidation)
	fams, err := parser.TextToMetricFamilies(rec.Body)
	if err != nil {
		t.Fatalf("/metrics does not parse: %v", err)
	}
	return fams
}

// one returns the single sample of a family (with label value lv, when given).
func one(t *testing.T, fams map[string]*dto.MetricFamily, name, lv string) *dto.Metric {
	t.Helper()
	f, ok := fams[name]
	if !ok {
		t.Fatalf("/metrics lacks %s", name)
	}
	for _, s := range f.GetMetric() {
		if lv == "" || (len(s.GetLabel()) == 1 && s.GetLabel()[0].GetValue() == lv) {
			return s
		}
	}
	t.Fatalf("%s has no sample %q", name, lv)
	return nil
}

func value(t *testing.T, fams map[string]*dto.MetricFamily, name, lv string) float64 {
	t.Helper()
	s := one(t, fams, name, lv)
	if s.Counter != nil {
		return s.GetCounter().GetValue()
	}
	return s.GetGauge().GetValue()
}

func TestMetricsFollowTheRuns(t *testing.T) {
	c := clock.NewFake(t0)
	m := New(c)
	slot := t0.Add(time.Second)
	started := result.Record{Slot: slot, Attempt: 1, Start: slot.Add(time.Millisecond)}
	m.Holding(true, t0)
	m.RunStarted(started)
	if got := value(t, scrape(t, m), "periodic_ticker_runs_in_flight", ""); got != 1 {
		t.Fatalf("in flight %v", got)
	}
	ok := started
	ok.Kind, ok.End = result.Success, slot.Add(3*time.Second)
	m.RunEnded(ok)
	m.RunEnded(result.Record{Slot: slot, Kind: result.Skipped})
	retry := result.Record{Slot: slot, Attempt: 2, Start: slot.Add(time.Hour)}
	m.RunStarted(retry) // a retry: no lateness
	retry.Kind, retry.End = result.Timeout, retry.Start.Add(time.Second)
	m.RunEnded(retry)
	c.Set(slot.Add(time.Hour + 11*time.Second))

	fams := scrape(t, m)
	for kind, want := range map[string]float64{"success": 1, "failure": 0, "timeout": 1, "skipped": 1} {
		if got := value(t, fams, "periodic_ticker_runs_total", kind); got != want {
			t.Errorf("runs{result=%s} = %v, want %v", kind, got, want)
		}
	}
	for name, want := range map[string]float64{
		"periodic_ticker_runs_in_flight": 0, "periodic_ticker_lease_held": 1,
		"periodic_ticker_last_success_timestamp_seconds":  float64(slot.Add(3 * time.Second).Unix()),
		"periodic_ticker_seconds_since_last_finished_run": 10,
	} {
		if got := value(t, fams, name, ""); got != want {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	late := one(t, fams, "periodic_ticker_start_lateness_seconds", "").GetHistogram()
	if late.GetSampleCount() != 1 || late.GetSampleSum() != 0.001 {
		t.Errorf("lateness: %d samples, sum %v; want the first attempt's 1 ms only", late.GetSampleCount(), late.GetSampleSum())
	}
	dur := one(t, fams, "periodic_ticker_run_duration_seconds", "").GetHistogram()
	if dur.GetSampleCount() != 2 || dur.GetSampleSum() != 3.999 {
		t.Errorf("duration: %d samples, sum %v; want 2.999 s and 1 s", dur.GetSampleCount(), dur.GetSampleSum())
	}
	m.Holding(false, t0)
	if got := value(t, scrape(t, m), "periodic_ticker_lease_held", ""); got != 0 {
		t.Errorf("lease held %v after losing it", got)
	}
}

func TestEveryMetricIsServedWithItsType(t *testing.T) {
	fams := scrape(t, New(clock.NewFake(t0)))
	want := map[string]dto.MetricType{
		"periodic_ticker_runs_total":                      dto.MetricType_COUNTER,
		"periodic_ticker_run_duration_seconds":            dto.MetricType_HISTOGRAM,
		"periodic_ticker_start_lateness_seconds":          dto.MetricType_HISTOGRAM,
		"periodic_ticker_last_success_timestamp_seconds":  dto.MetricType_GAUGE,
		"periodic_ticker_runs_in_flight":                  dto.MetricType_GAUGE,
		"periodic_ticker_seconds_since_last_finished_run": dto.MetricType_GAUGE,
		"periodic_ticker_lease_held":                      dto.MetricType_GAUGE,
	}
	if runtime.GOOS == "linux" {
		for _, name := range []string{"process_resident_memory_bytes", "process_virtual_memory_bytes",
			"process_start_time_seconds", "process_open_fds", "process_max_fds"} {
			want[name] = dto.MetricType_GAUGE
		}
		want["process_cpu_seconds_total"] = dto.MetricType_COUNTER
	}
	for name, typ := range want {
		f, ok := fams[name]
		switch {
		case !ok:
			t.Errorf("/metrics lacks %s", name)
		case f.GetType() != typ:
			t.Errorf("%s is a %v, want %v", name, f.GetType(), typ)
		case f.GetHelp() == "":
			t.Errorf("%s has no help", name)
		}
	}
	if len(fams) != len(want) {
		t.Errorf("%d families, want %d", len(fams), len(want))
	}
	for _, k := range result.Kinds() { // every result shows, at 0, from the start
		if got := value(t, fams, "periodic_ticker_runs_total", string(k)); got != 0 {
			t.Errorf("runs{result=%s} = %v at start", k, got)
		}
	}
}

func TestProcessMetricsAreThisProcesss(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("process metrics are read from /proc")
	}
	fams := scrape(t, New(clock.Real{}))
	if start := value(t, fams, "process_start_time_seconds", ""); time.Since(time.Unix(int64(start), 0)) > time.Hour || start > float64(time.Now().Unix()+1) {
		t.Errorf("process start %v, now %v", start, time.Now().Unix())
	}
	for _, name := range []string{"process_resident_memory_bytes", "process_virtual_memory_bytes", "process_open_fds", "process_max_fds"} {
		if v := value(t, fams, name, ""); v < 1 {
			t.Errorf("%s = %v", name, v)
		}
	}
	if rss, vsz := value(t, fams, "process_resident_memory_bytes", ""), value(t, fams, "process_virtual_memory_bytes", ""); rss > vsz {
		t.Errorf("resident %v > virtual %v", rss, vsz)
	}
}

func TestHistogramBucketsAreInclusiveAndCumulative(t *testing.T) {
	m := New(clock.NewFake(t0))
	for _, late := range []time.Duration{100 * time.Microsecond, 200 * time.Microsecond, time.Millisecond, time.Minute} {
		m.RunStarted(result.Record{Slot: t0, Attempt: 1, Start: t0.Add(late)})
	}
	h := one(t, scrape(t, m), "periodic_ticker_start_lateness_seconds", "").GetHistogram()
	want := map[float64]uint64{.0001: 1, .00025: 2, .0005: 2, .001: 3, .0015: 3, 5: 3}
	for _, b := range h.GetBucket() {
		if w, ok := want[b.GetUpperBound()]; ok && b.GetCumulativeCount() != w {
			t.Errorf("bucket le=%v: %d, want %d", b.GetUpperBound(), b.GetCumulativeCount(), w)
		}
		delete(want, b.GetUpperBound())
	}
	if len(want) > 0 {
		t.Errorf("buckets missing: %v", want)
	}
	if h.GetSampleCount() != 4 { // the minute is only in +Inf
		t.Errorf("count %d, want 4", h.GetSampleCount())
	}
}
