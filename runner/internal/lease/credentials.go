// Package lease holds a coordination.k8s.io/v1 Lease — the runner's singleton lock and
// checkpoint — with a small client of its own: get and update with resourceVersion
// preconditions over the pod's service-account credentials.
package lease

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"time"
)

// Where the credentials come from: the in-cluster service-account files, or for tests and
// local use the overrides PERIODIC_API_SERVER (a URL; http:// skips TLS),
// PERIODIC_TOKEN_FILE and PERIODIC_CA_FILE.
const (
	EnvAPIServer = "PERIODIC_API_SERVER"
	EnvTokenFile = "PERIODIC_TOKEN_FILE"
	EnvCAFile    = "PERIODIC_CA_FILE"

	serviceAccountDir = "/var/run/secrets/kubernetes.io/serviceaccount"
)

// Credentials say how to reach and authenticate to the API server.
type Credentials struct {
	Server    string // base URL, https://host:port
	TokenFile string // bearer token, read again for every request (bound tokens rotate)
	CAFile    string // PEM bundle the server's certificate must chain to
}

// CredentialsFromEnv finds the credentials from the environment (getenv is os.Getenv).
func CredentialsFromEnv(getenv func(string) string) (Credentials, error) {
	c := Credentials{
		Server:    getenv(EnvAPIServer),
		TokenFile: or(getenv(EnvTokenFile), serviceAccountDir+"/token"),
		CAFile:    or(getenv(EnvCAFile), serviceAccountDir+"/ca.crt"),
	}
	if c.Server == "" {
		host, port := getenv("KUBERNETES_SERVICE_HOST"), getenv("KUBERNETES_SERVICE_PORT")
		if host == "" || port == "" {
			return Credentials{}, errors.New("no API server: KUBERNETES_SERVICE_HOST/PORT unset (not in a pod?) and no " + EnvAPIServer)
		}
		c.Server = "https://" + net.JoinHostPort(host, port)
	}
	c.Server = strings.TrimSuffix(c.Server, "/")
	return c, nil
}

func or(v, fallback string) string {
	if v != "" {
		return v
	}
	return fallback
}

// httpClient returns a client that trusts CAFile for an https server.
func (c Credentials) httpClient() (*http.Client, error) {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.ResponseHeaderTimeout = 30 * time.Second
	if strings.HasPrefix(c.Server, "https://") {
		pem, err := os.ReadFile(c.CAFile)
		if err != nil {
			return nil, fmt.Errorf("API server CA: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("API server CA %s: no PEM certificate in it", c.CAFile)
		}
		tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	}
	return &http.Client{Transport: tr}, nil
}

// token reads the bearer token.
func (c Credentials) token() (string, error) {
	b, err := os.ReadFile(c.TokenFile)
	if err != nil {
		return "", fmt.Errorf("service-account token: %w", err)
	}
	return strings.TrimSpace(string(b)), nil
}
