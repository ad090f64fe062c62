// Package serve is the runner's HTTP side: /metrics, /healthz (liveness: the stuck ticker),
// /readyz and, when asked for, /debug/pprof.
package serve

import (
	"fmt"
	"net/http"
	"net/http/pprof"
	"sync/atomic"
)

// Checker says what is wrong, or nil.
type Checker interface {
	Check() error
}

// Readiness is ready from Set(true) until Set(false): up once the runner has started, down
// once it is shutting down.
type Readiness struct{ ready atomic.Bool }

// Set changes readiness.
func (r *Readiness) Set(ready bool) { r.ready.Store(ready) }

// Check fails when not ready.
func (r *Readiness) Check() error {
	if !r.ready.Load() {
		return fmt.Errorf("not ready: starting or shutting down")
	}
	return nil
}

// Handler routes the endpoints; pprofOn adds /debug/pprof/.
func Handler(metrics http.Handler, health, ready Checker, pprofOn bool) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", metrics)
	mux.Handle("GET /healthz", probe(health))
	mux.Handle("GET /readyz", probe(ready))
	if pprofOn {
		mux.HandleFunc("GET /debug/pprof/", pprof.Index)
		mux.HandleFunc("GET /debug/pprof/cmdline", pprof.Cmdline)
		mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("GET /debug/pprof/symbol", pprof.Symbol)
		mux.HandleFunc("GET /debug/pprof/trace", pprof.Trace)
	}
	return mux
}

// probe answers 200 "ok" or 503 with the reason.
func probe(c Checker) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if err := c.Check(); err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintln(w, err)
			return
		}
		fmt.Fprintln(w, "ok")
	})
}
