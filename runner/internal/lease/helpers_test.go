package lease

import (
	"testing"

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
