package lease

import (
	"context"
	"encoding/pem"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

func TestClientGetUpdateAndConflict(t *testing.T) {
	a := newFakeAPI(t, map[string]any{"holderIdentity": "", "leaseDurationSeconds": 15, "preferredHolder": "keep-me"})
	c := clientFor(t, a)
	ctx := context.Background()
	l, err := c.Get(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if l.ResourceVersion != "100" || l.Holder != "" || l.Duration != 15*time.Second {
		t.Fatalf("lease %+v", l)
	}
	w := l.clone()
	w.Holder, w.RenewTime = "pod-a_1", time.Date(2024, 7, 1, 0, 0, 0, 123456000, time.UTC)
	w.Annotations["periodic.dev/last-result"] = "success"
	got, err := c.Update(ctx, w)
	if err != nil {
		t.Fatal(err)
	}
	if got.ResourceVersion != "101" || got.Holder != "pod-a_1" || !got.RenewTime.Equal(w.RenewTime) {
		t.Fatalf("written %+v", got)
	}
	if l.Holder != "" || len(l.Annotations) != 0 {
		t.Fatalf("Update changed the lease it was cloned from: %+v", l)
	}
	// What the runner does not know survives its writes.
	obj := a.Object()
	meta, spec := obj["metadata"].(map[string]any), obj["spec"].(map[string]any)
	if spec["preferredHolder"] != "keep-me" || spec["renewTime"] != "2024-07-01T00:00:00.123456Z" ||
		!reflect.DeepEqual(meta["labels"], map[string]any{"app.kubernetes.io/managed-by": "periodic-operator"}) ||
		meta["ownerReferences"] == nil {
		t.Errorf("object after update: %v", obj)
	}
	// A write from the stale resourceVersion is refused.
	if _, err := c.Update(ctx, w); !errors.Is(err, ErrConflict) {
		t.Fatalf("stale update: %v, want ErrConflict", err)
	}
}

func TestClientErrors(t *testing.T) {
	a := newFakeAPI(t, map[string]any{})
	c := clientFor(t, a)
	a.SetToken("rotated")
	var se *StatusError
	if _, err := c.Get(context.Background()); !errors.As(err, &se) || se.Code != http.StatusUnauthorized {
		t.Fatalf("wrong token: %v, want status 401", err)
	}
	a.SetToken("secret")
	a.Remove()
	if _, err := c.Get(context.Background()); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing lease: %v, want ErrNotFound", err)
	}
	c, _ = NewClient(Credentials{Server: a.URL(), TokenFile: filepath.Join(t.TempDir(), "none")}, "ns", "demo")
	if _, err := c.Get(context.Background()); err == nil {
		t.Fatal("a missing token file was no error")
	}
}

func TestClientTLS(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"metadata":{"resourceVersion":"7"},"spec":{"holderIdentity":"x"}}`))
	}))
	defer srv.Close()
	dir := t.TempDir()
	ca := filepath.Join(dir, "ca.crt")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	tok := filepath.Join(dir, "token")
	os.WriteFile(tok, []byte("t"), 0o600)
	c, err := NewClient(Credentials{Server: srv.URL, TokenFile: tok, CAFile: ca}, "ns", "demo")
	if err != nil {
		t.Fatal(err)
	}
	if l, err := c.Get(context.Background()); err != nil || l.Holder != "x" {
		t.Fatalf("Get over TLS: %+v, %v", l, err)
	}
	other := filepath.Join(dir, "other.crt")
	os.WriteFile(other, []byte("not a certificate"), 0o600)
	if _, err := NewClient(Credentials{Server: srv.URL, TokenFile: tok, CAFile: other}, "ns", "demo"); err == nil {
		t.Fatal("a CA file without certificates was accepted")
	}
}
