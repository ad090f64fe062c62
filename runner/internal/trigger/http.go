package trigger

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
)

// HTTP calls the application: a POST per attempt with the run's data as headers and an
// empty body; any 2xx answer is a success. The attempt's deadline is the request
// context's deadline.
type HTTP struct {
	url     string
	client  *http.Client
	headers http.Header // static part
}

// NewHTTP calls url with client (nil: a client of its own that keeps connections open and
// follows no redirect: a 3xx answer is a failure, not a GET of somewhere else).
func NewHTTP(url string, client *http.Client, opts ...Option) *HTTP {
	if client == nil {
		client = &http.Client{
			Transport:     http.DefaultTransport.(*http.Transport).Clone(),
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
	}
	s := newSettings(opts)
	h := http.Header{}
	if s.task != "" {
		h.Set(HeaderTask, s.task)
	}
	if s.stateDir != "" {
		h.Set(HeaderStateDir, s.stateDir)
	}
	return &HTTP{url: url, client: client, headers: h}
}

// Start sends the request; Wait reads the answer.
func (t *HTTP) Start(ctx context.Context, a Attempt) (Execution, error) {
	reqCtx, cancel := context.WithDeadline(ctx, a.Deadline)
	req, err := http.NewRequestWithContext(reqCtx, http.MethodPost, t.url, http.NoBody)
	if err != nil {
		cancel()
		return nil, fmt.Errorf("request to %s: %w", t.url, err)
	}
	req.Header = t.headers.Clone()
	req.Header.Set(HeaderSlot, FormatTime(a.Slot))
	req.Header.Set(HeaderAttempt, strconv.Itoa(a.Number))
	req.Header.Set(HeaderDeadline, FormatTime(a.Deadline))
	done := make(chan Outcome, 1)
	go func() {
		defer cancel()
		done <- t.do(ctx, req)
	}()
	return httpRun(done), nil
}

// do sends req; ctx is the attempt's own context (not the request's, which also carries
// the deadline), to tell a stop from a deadline.
func (t *HTTP) do(ctx context.Context, req *http.Request) Outcome {
	resp, err := t.client.Do(req)
	if err != nil {
		return Outcome{Stopped: ctx.Err() != nil, Err: err}
	}
	// Drained so that the connection is reused; what the body says does not matter.
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	resp.Body.Close()
	o := Outcome{Code: resp.StatusCode}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		o.Err = fmt.Errorf("HTTP status %d", resp.StatusCode)
	}
	return o
}

type httpRun chan Outcome

func (r httpRun) Wait() Outcome { return <-r }
