package trigger

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

func TestHTTPSendsRunDataAndJudgesStatus(t *testing.T) {
	tests := []struct {
		name    string
		status  int
		wantErr bool
	}{{"200", 200, false}, {"204", 204, false}, {"500", 500, true}, {"302 is not 2xx", 302, true}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := make(chan *http.Request, 1)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				got <- r
				w.WriteHeader(tt.status)
			}))
			defer srv.Close()
			tr := NewHTTP(srv.URL+"/tick", nil, WithTask("ns/demo"), WithStateDir("/state"))
			deadline := time.Now().Add(time.Hour)
			x, err := tr.Start(context.Background(), Attempt{Slot: slot, Number: 2, Deadline: deadline})
			if err != nil {
				t.Fatal(err)
			}
			o := waitOutcome(t, x)
			if o.Code != tt.status || (o.Err != nil) != tt.wantErr || o.Stopped {
				t.Fatalf("outcome %+v", o)
			}
			r := <-got
			want := map[string]string{"Periodic-Slot": "2024-07-01T12:00:00.25Z", "Periodic-Attempt": "2",
				"Periodic-Task": "ns/demo", "Periodic-State-Dir": "/state", "Periodic-Deadline": FormatTime(deadline)}
			if r.Method != http.MethodPost || r.URL.Path != "/tick" {
				t.Fatalf("%s %s", r.Method, r.URL.Path)
			}
			for k, v := range want {
				if r.Header.Get(k) != v {
					t.Errorf("header %s = %q, want %q", k, r.Header.Get(k), v)
				}
			}
		})
	}
}

func TestHTTPDeadlineIsTheRequestDeadline(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer srv.Close()
	defer close(release)
	x, err := NewHTTP(srv.URL, nil).Start(context.Background(),
		Attempt{Slot: slot, Number: 1, Deadline: time.Now().Add(100 * time.Millisecond)})
	if err != nil {
		t.Fatal(err)
	}
	if o := waitOutcome(t, x); !errors.Is(o.Err, context.DeadlineExceeded) || o.Stopped {
		t.Fatalf("outcome %+v, want a deadline error, not a stop", o)
	}
}

func TestHTTPStoppedByContext(t *testing.T) {
	release := make(chan struct{})
	arrived := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(arrived)
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer srv.Close()
	defer close(release)
	ctx, cancel := context.WithCancel(context.Background())
	x, err := NewHTTP(srv.URL, nil).Start(ctx, Attempt{Slot: slot, Number: 1, Deadline: time.Now().Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	<-arrived
	cancel()
	if o := waitOutcome(t, x); !o.Stopped || o.Err == nil {
		t.Fatalf("outcome %+v, want stopped", o)
	}
}
