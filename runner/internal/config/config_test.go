package config

import (
	"errors"
	"flag"
	"slices"
	"strings"
	"testing"
	"time"

	"periodic.dev/runner/internal/runloop"
)

var base = []string{"--interval", "5s", "--timeout", "2s"}

func args(extra ...string) []string { return append(slices.Clone(base), extra...) }

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestParseRefuses(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown flag", args("--nope", "--", "true"), "flag provided but not defined: -nope"},
		{"bad duration", []string{"--interval", "5x", "--timeout", "1s", "--", "true"}, `invalid value "5x" for flag -interval`},
		{"neither interval nor schedule", []string{"--timeout", "1s", "--", "true"}, "exactly one of --interval and --schedule"},
		{"both", args("--schedule", "* * * * *", "--", "true"), "exactly one of --interval and --schedule"},
		{"tiny interval", []string{"--interval", "1us", "--timeout", "1s", "--", "true"}, "at least 1ms"},
		{"zero interval", []string{"--interval", "0", "--timeout", "1s", "--", "true"}, "--interval 0s: must be positive, at least 1ms"},
		{"negative interval", []string{"--interval", "-1s", "--timeout", "1s", "--", "true"}, "--interval -1s: must be positive, at least 1ms"},
		{"zero interval and schedule", []string{"--interval", "0", "--schedule", "* * * * *", "--timeout", "1s", "--", "true"}, "exactly one of --interval and --schedule"},
		{"empty schedule", []string{"--schedule", "", "--timeout", "1s", "--", "true"}, "schedule is empty"},
		{"cron of 4 fields", []string{"--schedule", "* * * *", "--timeout", "1s", "--", "true"}, `--schedule "* * * *": expected 5 fields (or 6 with seconds first), found 4`},
		{"cron of 7 fields", []string{"--schedule", "0 * * * * * *", "--timeout", "1s", "--", "true"}, "expected 5 fields (or 6 with seconds first), found 7"},
		{"bad cron field", []string{"--schedule", "61 * * * *", "--timeout", "1s", "--", "true"}, `--schedule: schedule "61 * * * *"`},
		{"zone with interval", args("--time-zone", "UTC", "--", "true"), "intervals are zone-free"},
		{"cadence with schedule", []string{"--schedule", "* * * * *", "--cadence", "FixedRate", "--timeout", "1s", "--", "true"}, "--cadence is for --interval"},
		{"bad cadence", args("--cadence", "Sometimes", "--", "true"), `--cadence "Sometimes"`},
		{"CRON_TZ in schedule", []string{"--schedule", "CRON_TZ=UTC * * * * *", "--timeout", "1s", "--", "true"}, "time zone setting"},
		{"cron never fires", []string{"--schedule", "0 0 30 2 *", "--timeout", "1s", "--", "true"}, "can never fire"},
		{"unknown zone", []string{"--schedule", "0 6 * * *", "--time-zone", "Mars/Olympus", "--timeout", "1s", "--", "true"}, `--time-zone "Mars/Olympus": unknown time zone (use an IANA name`},
		{"invalid zone name", []string{"--schedule", "0 6 * * *", "--time-zone", "../etc", "--timeout", "1s", "--", "true"}, `--time-zone "../etc": unknown time zone`},
		{"Local zone", []string{"--schedule", "0 6 * * *", "--time-zone", "Local", "--timeout", "1s", "--", "true"}, `time zone "Local": unknown time zone`},
		{"negative jitter", args("--jitter-offset", "-1s", "--", "true"), "--jitter-offset"},
		{"no timeout", []string{"--interval", "5s", "--", "true"}, "--timeout is required"},
		{"negative retries", args("--retries", "-1", "--", "true"), "--retries -1"},
		{"bad concurrency", args("--concurrency", "Sometimes", "--", "true"), `--concurrency "Sometimes"`},
		{"max-concurrent without Allow", args("--max-concurrent", "3", "--", "true"), "--max-concurrent is for --concurrency Allow"},
		{"max-concurrent zero", args("--concurrency", "Allow", "--max-concurrent", "0", "--", "true"), "at least 1"},
		{"bad missed-runs", args("--missed-runs", "Twice", "--", "true"), `--missed-runs "Twice"`},
		{"RunOnce without checkpoint", args("--missed-runs", "RunOnce", "--", "true"), "needs a checkpoint"},
		{"lease without namespace", args("--lease", "demo", "--", "true"), "want NAMESPACE/NAME"},
		{"fractional lease duration", args("--lease", "ns/demo", "--lease-duration", "1500ms", "--renew-deadline", "1s", "--", "true"), "whole seconds"},
		{"renew deadline too long", args("--lease", "ns/demo", "--renew-deadline", "15s", "--", "true"), "shorter than --lease-duration"},
		{"kill grace overlaps the next holder", args("--lease", "ns/demo", "--kill-grace", "6s", "--", "true"), "could overlap"},
		{"no trigger", args(), "no trigger"},
		{"two triggers", args("--http", "http://127.0.0.1:8080/tick", "--", "true"), "choose one trigger"},
		{"bad url", args("--http", "localhost:8080"), "want an http:// or https:// URL"},
		{"task without namespace", args("--task", "demo", "--", "true"), "no namespace"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.args, env(nil))
			if err == nil {
				t.Fatalf("Parse(%q) accepted", tt.args)
			}
			if !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("error %q: want one line containing %q", err, tt.want)
			}
			if n := strings.Count(err.Error(), "unknown time zone"); n > 1 {
				t.Fatalf("error %q says \"unknown time zone\" %d times", err, n)
			}
		})
	}
}

func TestParseHelp(t *testing.T) {
	if _, err := Parse([]string{"-h"}, env(nil)); !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("-h: %v", err)
	}
	u := Usage()
	for _, s := range []string{"ticker install DIR", "--kill-grace", "-renew-deadline duration"} {
		if !strings.Contains(u, strings.TrimPrefix(s, "-")) {
			t.Errorf("usage lacks %q", s)
		}
	}
}

func TestParseDefaultsAndValues(t *testing.T) {
	c, err := Parse(args("--", "echo", "hi", "--not-a-flag"), env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.KillGrace != 5*time.Second || c.Concurrency != runloop.Forbid || c.MissedRuns != runloop.Skip ||
		c.MaxConcurrent != 10 || c.Listen != ":9090" || c.LeaseDuration != 15*time.Second || c.RenewDeadline != 10*time.Second ||
		c.Chained || c.Pprof || c.LeaseName != "" || c.Task != "" || c.Describe != "every 5s, FixedRate" {
		t.Fatalf("defaults %+v", c)
	}
	if !slices.Equal(c.Command, []string{"echo", "hi", "--not-a-flag"}) {
		t.Fatalf("command %q", c.Command)
	}
	// What the operator renders for an Exec ticker.
	c, err = Parse([]string{"--schedule", "*/10 * * * * *", "--time-zone", "Europe/Berlin", "--jitter-offset", "1.5s",
		"--timeout", "8s", "--kill-grace", "5s", "--retries", "2", "--concurrency", "Replace", "--missed-runs", "RunOnce",
		"--state-dir", "/periodic/state", "--lease", "team-a/report", "--lease-duration", "15s", "--renew-deadline", "10s",
		"--listen", ":9090", "--", "/app/report", "--full"}, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.Concurrency != runloop.Replace || c.MissedRuns != runloop.RunOnce || c.Retries != 2 || c.LeaseNamespace != "team-a" ||
		c.LeaseName != "report" || c.Task != "team-a/report" || c.StateDir != "/periodic/state" {
		t.Fatalf("config %+v", c)
	}
	// 10:00:00 Berlin summer time is 08:00:00Z; the jitter offset moves it to 08:00:01.5Z.
	got := c.Slots.Next(time.Date(2024, 7, 1, 7, 59, 59, 0, time.UTC))
	if want := time.Date(2024, 7, 1, 8, 0, 1, 500_000_000, time.UTC); !got.Equal(want) {
		t.Fatalf("next slot %v, want %v", got, want)
	}
}

func TestParseTriggersAndTask(t *testing.T) {
	c, err := Parse(args("--cadence", "FixedDelay", "--http", "http://127.0.0.1:8080/tick", "--task", "demo"),
		env(map[string]string{EnvPodNamespace: "team-b"}))
	if err != nil {
		t.Fatal(err)
	}
	if !c.Chained || c.HTTPURL != "http://127.0.0.1:8080/tick" || c.Command != nil || c.Task != "team-b/demo" {
		t.Fatalf("config %+v", c)
	}
	c, err = Parse(args("--task", "demo", "--", "true"), env(map[string]string{"POD_NAMESPACE": "team-c"}))
	if err != nil || c.Task != "team-c/demo" {
		t.Fatalf("task from POD_NAMESPACE: %q, %v", c.Task, err)
	}
	c, err = Parse(args("--lease", "ns/child-1234", "--task", "ns/the-task", "--", "true"), env(nil))
	if err != nil || c.Task != "ns/the-task" {
		t.Fatalf("task %q, %v", c.Task, err)
	}
}
