package metrics

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"periodic.dev/runner/internal/clock"
	"periodic.dev/runner/internal/result"
)

var t0 = time.Date(2024, 7, 1, 0, 0, 0, 0, time.UTC)

func TestMetricsFollowTheRuns(t *testing.T) {
	c := clock.NewFake(t0)
	m := New(c)
	slot := t0.Add(time.Second)
	started := result.Record{Slot: slot, Attempt: 1, Start: slot.Add(time.Millisecond)}
	m.Holding(true, t0)
	m.RunStarted(started)
	if got := testutil.ToFloat64(m.inFlight); got != 1 {
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

	for kind, want := range map[string]float64{"success": 1, "failure": 0, "timeout": 1, "skipped": 1} {
		if got := testutil.ToFloat64(m.runs.WithLabelValues(kind)); got != want {
			t.Errorf("runs{result=%s} = %v, want %v", kind, got, want)
		}
	}
	checks := map[string]float64{
		"in flight": testutil.ToFloat64(m.inFlight), "lease held": m.leaseHeld(),
		"last success": testutil.ToFloat64(m.lastSuccess), "since last finished": m.sinceLastFinished(),
	}
	want := map[string]float64{"in flight": 0, "lease held": 1, "last success": float64(slot.Add(3 * time.Second).Unix()),
		"since last finished": 10}
	for k, w := range want {
		if checks[k] != w {
			t.Errorf("%s = %v, want %v", k, checks[k], w)
		}
	}
	if n := testutil.CollectAndCount(m.lateness); n != 1 {
		t.Errorf("lateness series %d", n)
	}
}

func TestHandlerServesTheRegistry(t *testing.T) {
	m := New(clock.NewFake(t0))
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body := rec.Body.String()
	for _, name := range []string{
		`periodic_ticker_runs_total{result="skipped"} 0`, "periodic_ticker_run_duration_seconds_bucket",
		"periodic_ticker_start_lateness_seconds_bucket", "periodic_ticker_last_success_timestamp_seconds 0",
		"periodic_ticker_runs_in_flight 0", "periodic_ticker_seconds_since_last_finished_run 0",
		"periodic_ticker_lease_held 0", "process_start_time_seconds",
	} {
		if !strings.Contains(body, name) {
			t.Errorf("/metrics lacks %q", name)
		}
	}
}

func TestLeaseHeldAsksTheGuardAtEachScrapeWhenGiven(t *testing.T) {
	m := New(clock.NewFake(time.Unix(0, 0)))
	m.Holding(true, time.Unix(0, 0))
	if got := m.leaseHeld(); got != 1 {
		t.Fatalf("lease_held %v after Holding(true)", got)
	}
	guard := false
	m.HeldFrom(func() bool { return guard }) // the loop has not woken since the Lease was lost
	if got := m.leaseHeld(); got != 0 {
		t.Errorf("lease_held %v while the guard says not held", got)
	}
	guard = true
	if got := m.leaseHeld(); got != 1 {
		t.Errorf("lease_held %v while the guard says held", got)
	}
}

func TestSlotsPassedOverCountAsSkipped(t *testing.T) {
	m := New(clock.NewFake(time.Unix(0, 0)))
	m.RunEnded(result.Record{Kind: result.Skipped})            // one slot, by the policy
	m.RunEnded(result.Record{Kind: result.Skipped, Passed: 3}) // three slept through
	if got := testutil.ToFloat64(m.runs.WithLabelValues("skipped")); got != 4 {
		t.Errorf("runs{result=skipped} = %v, want 4", got)
	}
}
