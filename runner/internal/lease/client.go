package lease

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
)

// StatusError is an API answer other than 200; Message is the API's own words.
type StatusError struct {
	Code    int
	Message string
}

func (e *StatusError) Error() string { return fmt.Sprintf("API status %d: %s", e.Code, e.Message) }

// Is makes errors.Is(err, ErrConflict) and errors.Is(err, ErrNotFound) work.
func (e *StatusError) Is(target error) bool {
	t, ok := target.(*StatusError)
	return ok && t.Code == e.Code && t.Message == ""
}

var (
	ErrConflict = &StatusError{Code: http.StatusConflict} // resourceVersion no longer current
	ErrNotFound = &StatusError{Code: http.StatusNotFound} // the operator creates the Lease
)

// Client gets and updates one Lease.
type Client struct {
	creds Credentials
	http  *http.Client
	path  string // /apis/coordination.k8s.io/v1/namespaces/NS/leases/NAME
}

// NewClient returns a client for the Lease namespace/name.
func NewClient(creds Credentials, namespace, name string) (*Client, error) {
	hc, err := creds.httpClient()
	if err != nil {
		return nil, err
	}
	return &Client{creds: creds, http: hc, path: "/apis/coordination.k8s.io/v1/namespaces/" +
		url.PathEscape(namespace) + "/leases/" + url.PathEscape(name)}, nil
}

// Get reads the Lease.
func (c *Client) Get(ctx context.Context) (*Lease, error) {
	return c.do(ctx, http.MethodGet, nil)
}

// Update writes l, on condition that its resourceVersion is still current (else
// ErrConflict), and returns the Lease as written.
func (c *Client) Update(ctx context.Context, l *Lease) (*Lease, error) {
	body, err := l.encode()
	if err != nil {
		return nil, err
	}
	return c.do(ctx, http.MethodPut, body)
}

func (c *Client) do(ctx context.Context, method string, body []byte) (*Lease, error) {
	token, err := c.creds.token()
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, method, c.creds.Server+c.path, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("lease %s: %w", method, err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "periodic-ticker")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("lease %s %s: %w", method, c.path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("lease %s %s: %w", method, c.path, err)
	}
	if resp.StatusCode != http.StatusOK {
		var status struct{ Message string }
		if json.Unmarshal(b, &status) != nil || status.Message == "" {
			status.Message = http.StatusText(resp.StatusCode)
		}
		return nil, fmt.Errorf("lease %s %s: %w", method, c.path, &StatusError{Code: resp.StatusCode, Message: status.Message})
	}
	l, err := decode(b)
	if err != nil {
		return nil, err
	}
	return l, nil
}
