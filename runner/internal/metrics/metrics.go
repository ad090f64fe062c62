// Package metrics keeps the runner's metrics and serves them in Prometheus's text
// exposition format (version 0.0.4), written here rather than with client_golang: the
// runner has seven metrics, and client_golang with what it pulls in (protobuf, procfs) was
// a third of the binary — pages that count into the runner's resident set — and allocated
// some 200 KB per scrape.
package metrics

import (
	"net/http"
	"strconv"
	"sync"
	"time"

	"periodic.dev/runner/internal/clock"
	"periodic.dev/runner/internal/result"
)

const namespace = "periodic_ticker_"

// contentType is the text exposition format's.
const contentType = "text/plain; version=0.0.4; charset=utf-8"

// The metrics' names and help texts (no backslash or line break in a help text).
const (
	runsName         = namespace + "runs_total"
	runsHelp         = "Runs (attempts) by result: success, failure, timeout; skipped counts slots that started no run."
	durationName     = namespace + "run_duration_seconds"
	durationHelp     = "How long runs took, start to end of the process group (or the answer)."
	latenessName     = namespace + "start_lateness_seconds"
	latenessHelp     = "How long after its slot a first attempt started (catch-up runs not counted)."
	lastSuccessName  = namespace + "last_success_timestamp_seconds"
	lastSuccessHelp  = "Unix time the last successful run ended; 0 before one has."
	inFlightName     = namespace + "runs_in_flight"
	inFlightHelp     = "Runs started and not yet ended."
	sinceName        = namespace + "seconds_since_last_finished_run"
	sinceHelp        = "Seconds since the last run ended (since the runner started, before any)."
	leaseHeldName    = namespace + "lease_held"
	leaseHeldHelp    = "1 while this runner may run (holds the Lease, or runs without one), else 0 (a standby)."
	expositionBudget = 8 << 10 // about what a scrape writes
)

var (
	durationBuckets = []float64{.001, .005, .01, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600}
	latenessBuckets = []float64{.0001, .00025, .0005, .001, .0015, .002, .005, .01, .025, .05, .1, .5, 1, 5}
)

// Metrics are the runner's metrics. Each attempt is a run; a skipped slot counts as a run
// with result "skipped".
type Metrics struct {
	clock clock.Clock
	kinds []result.Kind // the runs counter's label values, in this order
	start float64       // process_start_time_seconds, 0 when unknown

	mu           sync.Mutex
	runs         []uint64 // by kinds
	duration     histogram
	lateness     histogram
	lastSuccess  float64
	inFlight     int
	leaseHeld    bool
	lastFinished time.Time // the start of the runner until a run has finished
}

// New returns the metrics, every result of the runs counter at 0.
func New(c clock.Clock) *Metrics {
	kinds := result.Kinds()
	return &Metrics{clock: c, kinds: kinds, start: processStart(), runs: make([]uint64, len(kinds)),
		duration: newHistogram(durationBuckets), lateness: newHistogram(latenessBuckets), lastFinished: c.Now()}
}

// Handler serves the metrics, then the process's own (process_*, Linux only), uncompressed.
func (m *Metrics) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		b := m.appendTo(make([]byte, 0, expositionBudget))
		b = appendProcess(b, m.start)
		w.Header().Set("Content-Type", contentType)
		w.Header().Set("Content-Length", strconv.Itoa(len(b)))
		_, _ = w.Write(b) // after the lock: a slow scraper holds up nobody
	})
}

// appendTo writes the runner's metrics, a consistent snapshot.
func (m *Metrics) appendTo(b []byte) []byte {
	now := m.clock.Now()
	m.mu.Lock()
	defer m.mu.Unlock()
	b = appendHeader(b, runsName, "counter", runsHelp)
	for i, k := range m.kinds {
		b = appendSample(b, runsName, "result", string(k), float64(m.runs[i]))
	}
	b = m.duration.appendTo(b, durationName, durationHelp)
	b = m.lateness.appendTo(b, latenessName, latenessHelp)
	b = appendGauge(b, lastSuccessName, lastSuccessHelp, m.lastSuccess)
	b = appendGauge(b, inFlightName, inFlightHelp, float64(m.inFlight))
	b = appendGauge(b, sinceName, sinceHelp, now.Sub(m.lastFinished).Seconds())
	held := 0.0
	if m.leaseHeld {
		held = 1
	}
	return appendGauge(b, leaseHeldName, leaseHeldHelp, held)
}

// RunStarted counts a run in flight and its lateness (first attempts, no catch-ups).
func (m *Metrics) RunStarted(r result.Record) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.inFlight++
	if r.Attempt == 1 && !r.CatchUp {
		m.lateness.observe(r.Lateness().Seconds())
	}
}

// RunEnded counts the run by result.
func (m *Metrics) RunEnded(r result.Record) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i, k := range m.kinds {
		if k == r.Kind {
			m.runs[i]++
		}
	}
	if r.Kind == result.Skipped {
		return
	}
	m.inFlight--
	m.duration.observe(r.Duration().Seconds())
	if r.Kind == result.Success {
		m.lastSuccess = float64(r.End.UnixNano()) / 1e9
	}
	if r.End.After(m.lastFinished) {
		m.lastFinished = r.End
	}
}

// Holding sets lease_held.
func (m *Metrics) Holding(held bool, _ time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.leaseHeld = held
}
