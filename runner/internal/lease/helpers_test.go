package lease

import (
	"testing"
	"time"

	"periodic.dev/runner/internal/lease/leasetest"
)

func newFakeAPI(t *testing.T, spec map[string]any) *leasetest.Server { return leasetest.New(t, spec) }

func credsFor(t *testing.T, a *leasetest.Server) Credentials {
	return Credentials{Server: a.URL(), TokenFile: a.TokenFile(t)}
}

func clientFor(t *testing.T, a *leasetest.Server) *Client {
	c, err := NewClient(credsFor(t, a), "ns", "demo")
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
