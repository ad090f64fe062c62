package main

import (
	"bytes"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"periodic.dev/runner/internal/waitfor"
)

func noEnv(string) string { return "" }

func TestBadFlagsExit2WithOneLine(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown flag", []string{"--bogus"}, "flag provided but not defined"},
		{"no schedule", []string{"--timeout", "1s", "--", "true"}, "exactly one of --interval and --schedule"},
		{"no timeout", []string{"--interval", "1s", "--", "true"}, "--timeout is required"},
		{"bad cron", []string{"--schedule", "0 0 * * L5", "--timeout", "1s", "--", "true"}, "--schedule"},
		{"TZ prefix", []string{"--schedule", "TZ=Europe/Berlin 0 6 * * *", "--timeout", "1s", "--", "true"}, "time zone setting"},
		{"command not found", []string{"--interval", "1s", "--timeout", "1s", "--listen", "", "--", "no-such-command-for-the-ticker"}, "executable file not found"},
		{"install without dir", []string{"install"}, "usage: ticker install DIR"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := realMain(tt.args, noEnv, &stdout, &stderr); code != 2 {
				t.Fatalf("exit %d, want 2 (stderr %q)", code, stderr.String())
			}
			lines := strings.Split(strings.TrimSuffix(stderr.String(), "\n"), "\n")
			if len(lines) != 1 || !strings.HasPrefix(lines[0], "ticker: ") || !strings.Contains(lines[0], tt.want) {
				t.Fatalf("stderr %q: want one line with %q", stderr.String(), tt.want)
			}
		})
	}
}

func TestHelpExit0(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := realMain([]string{"-h"}, noEnv, &stdout, &stderr); code != 0 || !strings.Contains(stdout.String(), "-interval") {
		t.Fatalf("exit %d, stdout %q", code, stdout.String())
	}
}

func TestInstallCopiesItself(t *testing.T) {
	dir := t.TempDir()
	var stdout, stderr bytes.Buffer
	if code := realMain([]string{"install", dir}, noEnv, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	self, _ := os.Executable()
	want, _ := os.ReadFile(self)
	got, err := os.ReadFile(filepath.Join(dir, "ticker"))
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("installed copy differs from %s (%v)", self, err)
	}
	if st, _ := os.Stat(filepath.Join(dir, "ticker")); st.Mode().Perm() != 0o755 {
		t.Fatalf("mode %v", st.Mode())
	}
}

func TestLeaseAPIUnreachableAtStartExit3(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	tok := filepath.Join(t.TempDir(), "token")
	os.WriteFile(tok, []byte("t"), 0o600)
	env := map[string]string{"PERIODIC_API_SERVER": "http://" + addr, "PERIODIC_TOKEN_FILE": tok}
	var stdout, stderr bytes.Buffer
	code := realMain([]string{"--interval", "1s", "--timeout", "1s", "--kill-grace", "0s", "--listen", "",
		"--lease", "ns/demo", "--lease-duration", "1s", "--renew-deadline", "300ms", "--", "true"},
		func(k string) string { return env[k] }, &stdout, &stderr)
	if code != 3 || !strings.Contains(stderr.String(), "cannot reach the API for the Lease") {
		t.Fatalf("exit %d, stderr %q", code, stderr.String())
	}
}

// TestSIGTERMLetsTheRunEndAndExits0 signals this test process: realMain's NotifyContext
// catches it. The run in flight must finish (its file appears) before realMain returns 0.
func TestSIGTERMLetsTheRunEndAndExits0(t *testing.T) {
	dir := t.TempDir()
	started, finished := filepath.Join(dir, "started"), filepath.Join(dir, "finished")
	var stdout, stderr bytes.Buffer
	code := make(chan int, 1)
	go func() {
		code <- realMain([]string{"--interval", "100ms", "--timeout", "1m", "--listen", "", "--",
			"sh", "-c", `[ -e "$0" ] && exit 0; touch "$0"; sleep 0.5; touch "$1"`, started, finished},
			noEnv, &stdout, &stderr)
	}()
	waitfor.Until(t, "the first run to start", func() bool { _, err := os.Stat(started); return err == nil })
	if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case c := <-code:
		if c != 0 {
			t.Fatalf("exit %d: %s", c, stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("realMain did not return after SIGTERM")
	}
	if _, err := os.Stat(finished); err != nil {
		t.Fatalf("the run in flight was not let end: %v\n%s", err, stderr.String())
	}
}
