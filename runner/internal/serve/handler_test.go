package serve

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

type checkFunc func() error

func (f checkFunc) Check() error { return f() }

func TestEndpoints(t *testing.T) {
	metrics := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("metric 1\n")) })
	sick := checkFunc(func() error { return errors.New("stuck: no run has finished") })
	var ready Readiness
	tests := []struct {
		name, path string
		pprof      bool
		code       int
		body       string
	}{
		{"metrics", "/metrics", false, 200, "metric 1"},
		{"healthz failing", "/healthz", false, 503, "stuck"},
		{"readyz before start", "/readyz", false, 503, "not ready"},
		{"pprof off", "/debug/pprof/", false, 404, ""},
		{"pprof on", "/debug/pprof/", true, 200, "goroutine"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			Handler(metrics, sick, &ready, tt.pprof).ServeHTTP(rec, httptest.NewRequest("GET", tt.path, nil))
			if rec.Code != tt.code || !strings.Contains(rec.Body.String(), tt.body) {
				t.Fatalf("GET %s = %d %q, want %d with %q", tt.path, rec.Code, rec.Body.String(), tt.code, tt.body)
			}
		})
	}
	ready.Set(true)
	rec := httptest.NewRecorder()
	Handler(metrics, sick, &ready, false).ServeHTTP(rec, httptest.NewRequest("GET", "/readyz", nil))
	if rec.Code != 200 || rec.Body.String() != "ok\n" {
		t.Fatalf("/readyz when ready: %d %q", rec.Code, rec.Body.String())
	}
}
