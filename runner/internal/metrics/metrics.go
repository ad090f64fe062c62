// Package metrics keeps the runner's Prometheus metrics in a registry of its own and
// observes the run loop to update them.
package metrics

import (
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"periodic.dev/runner/internal/clock"
	"periodic.dev/runner/internal/result"
)

const namespace = "periodic_ticker"

// Metrics are the runner's metrics. Each attempt is a run; a skipped slot counts as a run
// with result "skipped".
type Metrics struct {
	reg         *prometheus.Registry
	runs        *prometheus.CounterVec
	duration    prometheus.Histogram
	lateness    prometheus.Histogram
	lastSuccess prometheus.Gauge
	inFlight    prometheus.Gauge
	clock       clock.Clock

	mu           sync.Mutex
	lastFinished time.Time // the start of the runner until a run has finished

	held     atomic.Bool                 // as the run loop last said (Holding)
	heldFrom atomic.Pointer[func() bool] // when set, asked at each scrape instead
}

// New registers the metrics (and process_* metrics, see processCollector) in a new registry.
func New(c clock.Clock) *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		runs: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Name: "runs_total",
			Help: "Runs (attempts) by result: success, failure, timeout; skipped counts slots that started no run."}, []string{"result"}),
		duration: prometheus.NewHistogram(prometheus.HistogramOpts{Namespace: namespace, Name: "run_duration_seconds",
			Help:    "How long runs took, start to end of the process group (or the answer).",
			Buckets: []float64{.001, .005, .01, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600}}),
		lateness: prometheus.NewHistogram(prometheus.HistogramOpts{Namespace: namespace, Name: "start_lateness_seconds",
			Help:    "How long after its slot a first attempt started (catch-up runs not counted).",
			Buckets: []float64{.0001, .00025, .0005, .001, .0015, .002, .005, .01, .025, .05, .1, .5, 1, 5}}),
		lastSuccess: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: namespace, Name: "last_success_timestamp_seconds",
			Help: "Unix time the last successful run ended; 0 before one has."}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: namespace, Name: "runs_in_flight",
			Help: "Runs started and not yet ended."}),
		clock:        c,
		lastFinished: c.Now(),
	}
	for _, k := range result.Kinds() {
		m.runs.WithLabelValues(string(k)) // every result shows, at 0, from the start
	}
	since := prometheus.NewGaugeFunc(prometheus.GaugeOpts{Namespace: namespace, Name: "seconds_since_last_finished_run",
		Help: "Seconds since the last run ended (since the runner started, before any)."}, m.sinceLastFinished)
	held := prometheus.NewGaugeFunc(prometheus.GaugeOpts{Namespace: namespace, Name: "lease_held",
		Help: "1 while this runner may run (holds the Lease, or runs without one), else 0 (a standby)."}, m.leaseHeld)
	m.reg.MustRegister(m.runs, m.duration, m.lateness, m.lastSuccess, m.inFlight, held, since,
		newProcessCollector())
	return m
}

// Handler serves the registry in the Prometheus exposition formats, uncompressed: a few
// kilobytes are not worth a gzip writer (over a megabyte of heap, dropped at every other
// collection from its pool) in a process whose whole heap is a few megabytes.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg, DisableCompression: true})
}

func (m *Metrics) sinceLastFinished() float64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.clock.Now().Sub(m.lastFinished).Seconds()
}

// RunStarted counts a run in flight and its lateness (first attempts, no catch-ups).
func (m *Metrics) RunStarted(r result.Record) {
	m.inFlight.Inc()
	if r.Attempt == 1 && !r.CatchUp {
		m.lateness.Observe(r.Lateness().Seconds())
	}
}

// RunEnded counts the run by result.
func (m *Metrics) RunEnded(r result.Record) {
	if r.Kind == result.Skipped {
		m.runs.WithLabelValues(string(r.Kind)).Add(float64(r.Slots()))
		return
	}
	m.runs.WithLabelValues(string(r.Kind)).Inc()
	m.inFlight.Dec()
	m.duration.Observe(r.Duration().Seconds())
	if r.Kind == result.Success {
		m.lastSuccess.Set(float64(r.End.UnixNano()) / 1e9)
	}
	m.mu.Lock()
	if r.End.After(m.lastFinished) {
		m.lastFinished = r.End
	}
	m.mu.Unlock()
}

// Holding notes whether the run loop may run (lease_held, unless HeldFrom was given).
func (m *Metrics) Holding(held bool, _ time.Time) { m.held.Store(held) }

// HeldFrom makes lease_held ask f at every scrape: the run loop only looks at the Lease
// when it wakes for a slot, which with --interval 1h is an hour of a stale gauge.
func (m *Metrics) HeldFrom(f func() bool) { m.heldFrom.Store(&f) }

func (m *Metrics) leaseHeld() float64 {
	held := m.held.Load()
	if f := m.heldFrom.Load(); f != nil {
		held = (*f)()
	}
	if held {
		return 1
	}
	return 0
}
