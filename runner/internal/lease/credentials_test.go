package lease

import (
	"strings"
	"testing"
)

func TestCredentialsFromEnv(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want Credentials
		err  string
	}{
		{"in cluster", map[string]string{"KUBERNETES_SERVICE_HOST": "10.0.0.1", "KUBERNETES_SERVICE_PORT": "443"},
			Credentials{Server: "https://10.0.0.1:443", TokenFile: "/var/run/secrets/kubernetes.io/serviceaccount/token",
				CAFile: "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt"}, ""},
		{"IPv6 service host", map[string]string{"KUBERNETES_SERVICE_HOST": "fd00::1", "KUBERNETES_SERVICE_PORT": "443"},
			Credentials{Server: "https://[fd00::1]:443", TokenFile: "/var/run/secrets/kubernetes.io/serviceaccount/token",
				CAFile: "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt"}, ""},
		{"overrides win", map[string]string{"KUBERNETES_SERVICE_HOST": "10.0.0.1", "KUBERNETES_SERVICE_PORT": "443",
			"PERIODIC_API_SERVER": "https://127.0.0.1:6443/", "PERIODIC_TOKEN_FILE": "/tmp/t", "PERIODIC_CA_FILE": "/tmp/ca"},
			Credentials{Server: "https://127.0.0.1:6443", TokenFile: "/tmp/t", CAFile: "/tmp/ca"}, ""},
		{"nowhere", map[string]string{}, Credentials{}, "KUBERNETES_SERVICE_HOST"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := CredentialsFromEnv(func(k string) string { return tt.env[k] })
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}
