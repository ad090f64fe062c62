// Package leasetest emulates the Lease endpoints of a Kubernetes API server for tests: GET
// and PUT of one Lease with resourceVersion preconditions (409 on a stale one), bearer
// tokens, and an outage switch. It is not the real API server: the cluster tests are.
package leasetest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
)

// Server serves the Lease ns/demo.
type Server struct {
	srv   *httptest.Server
	mu    sync.Mutex
	obj   map[string]any // nil: not found
	rv    int
	down  bool
	token string
}

// Path is where the Lease is served.
const Path = "/apis/coordination.k8s.io/v1/namespaces/ns/leases/demo"

// New serves a Lease ns/demo with spec (and labels and an ownerReference, which writers
// must keep) until the test ends.
func New(t *testing.T, spec map[string]any) *Server {
	a := &Server{token: "secret", rv: 100}
	a.obj = map[string]any{
		"apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
		"metadata": map[string]any{
			"name": "demo", "namespace": "ns", "resourceVersion": "100",
			"labels":          map[string]any{"app.kubernetes.io/managed-by": "periodic-operator"},
			"ownerReferences": []any{map[string]any{"apiVersion": "periodic.dev/v1alpha1", "kind": "PeriodicTask", "name": "demo", "uid": "u-1"}},
		},
		"spec": spec,
	}
	a.srv = httptest.NewServer(http.HandlerFunc(a.serve))
	t.Cleanup(a.srv.Close)
	return a
}

func (a *Server) serve(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	defer a.mu.Unlock()
	status := func(code int, msg string) {
		w.WriteHeader(code)
		json.NewEncoder(w).Encode(map[string]any{"kind": "Status", "code": code, "message": msg})
	}
	switch {
	case a.down:
		status(http.StatusServiceUnavailable, "down for the test")
		return
	case r.Header.Get("Authorization") != "Bearer "+a.token:
		status(http.StatusUnauthorized, "Unauthorized")
		return
	case r.URL.Path != Path:
		status(http.StatusNotFound, "no such path "+r.URL.Path)
		return
	case a.obj == nil:
		status(http.StatusNotFound, `leases.coordination.k8s.io "demo" not found`)
		return
	}
	switch r.Method {
	case http.MethodGet:
	case http.MethodPut:
		var in map[string]any
		b, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(b, &in); err != nil {
			status(http.StatusBadRequest, err.Error())
			return
		}
		if got := in["metadata"].(map[string]any)["resourceVersion"]; got != strconv.Itoa(a.rv) {
			status(http.StatusConflict, fmt.Sprintf("Operation cannot be fulfilled on leases.coordination.k8s.io \"demo\": the object has been modified (rv %v, current %d)", got, a.rv))
			return
		}
		a.rv++
		in["metadata"].(map[string]any)["resourceVersion"] = strconv.Itoa(a.rv)
		a.obj = in
	default:
		status(http.StatusMethodNotAllowed, r.Method)
		return
	}
	json.NewEncoder(w).Encode(a.obj)
}

// Edit changes the stored Lease as another writer would (bumping its resourceVersion).
func (a *Server) Edit(f func(obj map[string]any)) {
	a.mu.Lock()
	defer a.mu.Unlock()
	f(a.obj)
	a.rv++
	a.obj["metadata"].(map[string]any)["resourceVersion"] = strconv.Itoa(a.rv)
}

// SetDown makes every request fail with 503 (true) or be served again.
func (a *Server) SetDown(down bool) { a.mu.Lock(); a.down = down; a.mu.Unlock() }

// Down reports whether SetDown(true) is in force.
func (a *Server) Down() bool { a.mu.Lock(); defer a.mu.Unlock(); return a.down }

// Remove deletes the Lease (GET answers 404).
func (a *Server) Remove() { a.mu.Lock(); a.obj = nil; a.mu.Unlock() }

// SetToken changes the bearer token the server accepts.
func (a *Server) SetToken(tok string) { a.mu.Lock(); a.token = tok; a.mu.Unlock() }

// ResourceVersion is the Lease's current resourceVersion.
func (a *Server) ResourceVersion() int { a.mu.Lock(); defer a.mu.Unlock(); return a.rv }

// Object returns a copy of the stored Lease, as JSON would give it.
func (a *Server) Object() map[string]any {
	a.mu.Lock()
	defer a.mu.Unlock()
	b, _ := json.Marshal(a.obj)
	var out map[string]any
	json.Unmarshal(b, &out)
	return out
}

// Spec returns the Lease's spec.
func (a *Server) Spec() map[string]any {
	s, _ := a.Object()["spec"].(map[string]any)
	return s
}

// Annotations returns the Lease's annotations.
func (a *Server) Annotations() map[string]any {
	m, _ := a.Object()["metadata"].(map[string]any)["annotations"].(map[string]any)
	return m
}

// Holder is the Lease's spec.holderIdentity.
func (a *Server) Holder() string {
	h, _ := a.Spec()["holderIdentity"].(string)
	return h
}

// URL is the server's base URL.
func (a *Server) URL() string { return a.srv.URL }

// Close stops the server: requests fail as with an unreachable API.
func (a *Server) Close() { a.srv.Close() }

// TokenFile writes the server's token into a file of the test's and returns its path.
func (a *Server) TokenFile(t *testing.T) string {
	tok := filepath.Join(t.TempDir(), "token")
	a.mu.Lock()
	b := []byte(a.token + "\n")
	a.mu.Unlock()
	if err := os.WriteFile(tok, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return tok
}
