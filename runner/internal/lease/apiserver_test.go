package lease

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
	"time"
)

// fakeAPI emulates the Lease endpoints of an API server: GET and PUT of one Lease, with
// resourceVersion preconditions (409 on a stale one), bearer tokens, and an outage switch.
type fakeAPI struct {
	t     *testing.T
	srv   *httptest.Server
	mu    sync.Mutex
	obj   map[string]any // nil: not found
	rv    int
	down  bool
	puts  int
	token string
}

const leasePath = "/apis/coordination.k8s.io/v1/namespaces/ns/leases/demo"

func newFakeAPI(t *testing.T, spec map[string]any) *fakeAPI {
	a := &fakeAPI{t: t, token: "secret", rv: 100}
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

func (a *fakeAPI) serve(w http.ResponseWriter, r *http.Request) {
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
	case r.URL.Path != leasePath:
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
		a.puts++
		a.rv++
		in["metadata"].(map[string]any)["resourceVersion"] = strconv.Itoa(a.rv)
		a.obj = in
	default:
		status(http.StatusMethodNotAllowed, r.Method)
		return
	}
	json.NewEncoder(w).Encode(a.obj)
}

// edit changes the stored Lease as another writer would (bumping its resourceVersion).
func (a *fakeAPI) edit(f func(obj map[string]any)) {
	a.mu.Lock()
	defer a.mu.Unlock()
	f(a.obj)
	a.rv++
	a.obj["metadata"].(map[string]any)["resourceVersion"] = strconv.Itoa(a.rv)
}

func (a *fakeAPI) setDown(down bool) { a.mu.Lock(); a.down = down; a.mu.Unlock() }

func (a *fakeAPI) spec() map[string]any {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.obj["spec"].(map[string]any)
}

func (a *fakeAPI) annotations() map[string]any {
	a.mu.Lock()
	defer a.mu.Unlock()
	m, _ := a.obj["metadata"].(map[string]any)["annotations"].(map[string]any)
	return m
}

// creds returns credentials for the fake server, with a token file.
func (a *fakeAPI) creds(t *testing.T) Credentials {
	tok := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tok, []byte(a.token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return Credentials{Server: a.srv.URL, TokenFile: tok}
}

func (a *fakeAPI) client(t *testing.T) *Client {
	c, err := NewClient(a.creds(t), "ns", "demo")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// eventually waits (generously) for cond; a hang guard, not a speed assertion.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("never: %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func holderOf(a *fakeAPI) string {
	h, _ := a.spec()["holderIdentity"].(string)
	return h
}
