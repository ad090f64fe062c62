// Package config reads the ticker's command line into a Config, refusing what does not fit
// together with one readable sentence (the caller exits 2).
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"periodic.dev/runner/internal/runloop"
	"periodic.dev/runner/internal/schedule"
)

// Config is what the ticker was asked to do.
type Config struct {
	Slots        schedule.Slots // built from --interval/--cadence or --schedule/--time-zone, offset by --jitter-offset
	Chained      bool           // --cadence FixedDelay
	JitterOffset time.Duration
	Describe     string // the schedule in words, for the start log line

	Timeout       time.Duration
	KillGrace     time.Duration
	Retries       int
	Concurrency   runloop.Policy
	MaxConcurrent int
	MissedRuns    runloop.Missed
	StateDir      string

	LeaseNamespace, LeaseName string // empty: unguarded
	LeaseDuration             time.Duration
	RenewDeadline             time.Duration

	Listen string // "" disables the HTTP server
	Pprof  bool

	Command []string // Exec trigger
	HTTPURL string   // Http trigger
	Task    string   // PERIODIC_TASK: namespace/name
}

// Environment variables the ticker reads for the task's namespace (--task NAME) and for
// its Lease holder identity, as the operator sets them from the downward API; the
// conventional POD_NAMESPACE and POD_NAME are read when these are unset.
const (
	EnvPodNamespace = "PERIODIC_POD_NAMESPACE"
	EnvPodName      = "PERIODIC_POD_NAME"
)

// PodNamespace is $PERIODIC_POD_NAMESPACE, else $POD_NAMESPACE.
func PodNamespace(getenv func(string) string) string {
	return or(getenv(EnvPodNamespace), getenv("POD_NAMESPACE"))
}

// PodName is $PERIODIC_POD_NAME, else $POD_NAME.
func PodName(getenv func(string) string) string { return or(getenv(EnvPodName), getenv("POD_NAME")) }

// Parse reads args (without the program name). getenv is os.Getenv. flag.ErrHelp means
// -h was asked for; print Usage.
func Parse(args []string, getenv func(string) string) (Config, error) {
	fs, f := newFlagSet()
	if err := fs.Parse(args); err != nil {
		return Config{}, err
	}
	set := map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
	return f.build(set, fs.Args(), getenv)
}

// Usage is the help text.
func Usage() string {
	fs, _ := newFlagSet()
	var b strings.Builder
	b.WriteString(`Usage:
  ticker [flags] -- CMD [ARGS...]   run CMD at every slot (Exec trigger)
  ticker [flags] --http URL         POST to URL at every slot (Http trigger)
  ticker install DIR                copy this executable to DIR/ticker

Flags:
`)
	fs.SetOutput(&b)
	fs.PrintDefaults()
	return b.String()
}

type flags struct {
	interval, jitter, timeout, killGrace, leaseDuration, renewDeadline time.Duration
	schedule, zone, cadence, concurrency, missed, stateDir, lease      string
	listen, httpURL, task                                              string
	retries, maxConcurrent                                             int
	pprof                                                              bool
}

func newFlagSet() (*flag.FlagSet, *flags) {
	f := &flags{}
	fs := flag.NewFlagSet("ticker", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.DurationVar(&f.interval, "interval", 0, "run every D (500ms, 5s, 1m30s); exactly one of --interval and --schedule")
	fs.StringVar(&f.schedule, "schedule", "", "cron: 5 fields or @hourly…, or 6 fields with seconds first")
	fs.StringVar(&f.zone, "time-zone", "", "IANA time zone of --schedule (default UTC)")
	fs.StringVar(&f.cadence, "cadence", "FixedRate", "with --interval: FixedRate (slots aligned to the Unix epoch) or FixedDelay (the interval after each run's end)")
	fs.DurationVar(&f.jitter, "jitter-offset", 0, "fixed offset added to every slot (the first slot with FixedDelay)")
	fs.DurationVar(&f.timeout, "timeout", 0, "deadline of one attempt (required): SIGTERM to its process group, then SIGKILL")
	fs.DurationVar(&f.killGrace, "kill-grace", 5*time.Second, "time between SIGTERM and SIGKILL")
	fs.IntVar(&f.retries, "retries", 0, "attempts after the first within one slot; a retry starts only if it can end before the next slot")
	fs.StringVar(&f.concurrency, "concurrency", "Forbid", "a slot during a run: Forbid (skip it), Allow (up to --max-concurrent), Replace (stop the run, start anew)")
	fs.IntVar(&f.maxConcurrent, "max-concurrent", 10, "with --concurrency Allow: runs in flight at most")
	fs.StringVar(&f.missed, "missed-runs", "Skip", "slots missed while no runner ran: Skip, or RunOnce (one catch-up; needs --lease or --state-dir)")
	fs.StringVar(&f.stateDir, "state-dir", "", "directory for the task's state (PERIODIC_STATE_DIR) and, without --lease, the checkpoint")
	fs.StringVar(&f.lease, "lease", "", "NAMESPACE/NAME of the Lease to hold before each run (default: run unguarded)")
	fs.DurationVar(&f.leaseDuration, "lease-duration", 15*time.Second, "how long a Lease not renewed stays held (whole seconds)")
	fs.DurationVar(&f.renewDeadline, "renew-deadline", 10*time.Second, "a holder that cannot renew within this gives up, stopping its runs")
	fs.StringVar(&f.listen, "listen", ":9090", `address of /metrics, /healthz, /readyz ("" for none)`)
	fs.BoolVar(&f.pprof, "pprof", false, "also serve /debug/pprof/")
	fs.StringVar(&f.httpURL, "http", "", "Http trigger: POST to this URL at every slot, instead of a command")
	fs.StringVar(&f.task, "task", "", "PERIODIC_TASK: NAMESPACE/NAME, or NAME in $"+EnvPodNamespace+" (default: the --lease value)")
	return fs, f
}

func (f *flags) build(set map[string]bool, rest []string, getenv func(string) string) (Config, error) {
	c := Config{Timeout: f.timeout, KillGrace: f.killGrace, Retries: f.retries, MaxConcurrent: f.maxConcurrent,
		StateDir: f.stateDir, LeaseDuration: f.leaseDuration, RenewDeadline: f.renewDeadline, Listen: f.listen,
		Pprof: f.pprof, JitterOffset: f.jitter}
	steps := []func() error{
		func() error { return f.when(&c, set) },
		func() error { return f.runs(&c, set) },
		func() error { return f.guard(&c) },
		func() error { return f.what(&c, rest, getenv) },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return Config{}, err
		}
	}
	return c, nil
}

// when builds the slots.
func (f *flags) when(c *Config, set map[string]bool) error {
	// Given counts, not non-zero: --interval 0 is a bad interval, not a missing one.
	if set["interval"] == set["schedule"] {
		return errors.New("exactly one of --interval and --schedule is required")
	}
	if f.jitter < 0 {
		return fmt.Errorf("--jitter-offset %v: must not be negative", f.jitter)
	}
	if set["interval"] {
		return f.intervalSlots(c, set)
	}
	if set["cadence"] {
		return errors.New("--cadence is for --interval; a --schedule fires at its cron times")
	}
	if err := checkCron(f.schedule, f.zone); err != nil {
		return err
	}
	s, err := schedule.Cron(f.schedule, f.zone)
	if err != nil {
		return fmt.Errorf("--schedule: %w", err)
	}
	c.Slots = schedule.WithOffset(s, f.jitter)
	c.Describe = fmt.Sprintf("%s (%s)", f.schedule, or(f.zone, "UTC"))
	return nil
}

// checkCron refuses, with a message of its own, what schedule.Cron would report less
// clearly: a field count other than 5 or 6 (robfig's standard parser names only 5) and an
// unknown zone (Go's error repeats "unknown time zone").
func checkCron(expr, zone string) error {
	expr = strings.TrimSpace(expr)
	fields := strings.Fields(expr)
	if expr != "" && !strings.HasPrefix(expr, "@") && !strings.HasPrefix(expr, "TZ=") &&
		!strings.HasPrefix(expr, "CRON_TZ=") && len(fields) != 5 && len(fields) != 6 {
		return fmt.Errorf("--schedule %q: expected 5 fields (or 6 with seconds first), found %d", expr, len(fields))
	}
	if zone == "" || strings.EqualFold(zone, "Local") { // Local: schedule.Cron refuses it
		return nil
	}
	if _, err := time.LoadLocation(zone); err != nil {
		return fmt.Errorf("--time-zone %q: unknown time zone (use an IANA name such as Europe/Berlin)", zone)
	}
	return nil
}

func (f *flags) intervalSlots(c *Config, set map[string]bool) error {
	if f.interval < time.Millisecond {
		return fmt.Errorf("--interval %v: must be positive, at least 1ms", f.interval)
	}
	if set["time-zone"] {
		return errors.New("--time-zone is for --schedule; intervals are zone-free")
	}
	var err error
	switch f.cadence {
	case "FixedRate":
		c.Slots, err = schedule.FixedRate(f.interval)
		c.Slots = schedule.WithOffset(c.Slots, f.jitter)
	case "FixedDelay":
		c.Slots, err = schedule.FixedDelay(f.interval)
		c.Chained = true
	default:
		return fmt.Errorf("--cadence %q: want FixedRate or FixedDelay", f.cadence)
	}
	c.Describe = fmt.Sprintf("every %v, %s", f.interval, f.cadence)
	return err
}

// runs checks the deadline, retries and policies.
func (f *flags) runs(c *Config, set map[string]bool) error {
	switch {
	case f.timeout <= 0:
		return errors.New("--timeout is required and must be positive: every run has a deadline")
	case f.killGrace < 0:
		return fmt.Errorf("--kill-grace %v: must not be negative", f.killGrace)
	case f.retries < 0:
		return fmt.Errorf("--retries %d: must not be negative", f.retries)
	}
	switch p := runloop.Policy(f.concurrency); p {
	case runloop.Forbid, runloop.Allow, runloop.Replace:
		c.Concurrency = p
	default:
		return fmt.Errorf("--concurrency %q: want Forbid, Allow or Replace", f.concurrency)
	}
	if set["max-concurrent"] && c.Concurrency != runloop.Allow {
		return fmt.Errorf("--max-concurrent is for --concurrency Allow, not %s", c.Concurrency)
	}
	if f.maxConcurrent < 1 {
		return fmt.Errorf("--max-concurrent %d: must be at least 1", f.maxConcurrent)
	}
	switch m := runloop.Missed(f.missed); m {
	case runloop.Skip, runloop.RunOnce:
		c.MissedRuns = m
	default:
		return fmt.Errorf("--missed-runs %q: want Skip or RunOnce", f.missed)
	}
	if c.MissedRuns == runloop.RunOnce && f.lease == "" && f.stateDir == "" {
		return errors.New("--missed-runs RunOnce needs a checkpoint: --lease or --state-dir")
	}
	return nil
}

// guard checks the Lease flags.
func (f *flags) guard(c *Config) error {
	if f.lease == "" {
		return nil
	}
	ns, name, err := namespacedName(f.lease)
	if err != nil {
		return fmt.Errorf("--lease %q: %w", f.lease, err)
	}
	c.LeaseNamespace, c.LeaseName = ns, name
	switch d, r := f.leaseDuration, f.renewDeadline; {
	case d < time.Second || d%time.Second != 0:
		return fmt.Errorf("--lease-duration %v: must be whole seconds, at least 1s", d)
	case r <= 0 || r >= d:
		return fmt.Errorf("--renew-deadline %v: must be positive and shorter than --lease-duration %v", r, d)
	case r+f.killGrace > d:
		// A holder that lost the Lease stops its runs by renew deadline + kill grace; only
		// then may another holder see it expired.
		return fmt.Errorf("--renew-deadline %v + --kill-grace %v exceed --lease-duration %v: a run of a lost Lease could overlap the next holder's",
			r, f.killGrace, d)
	}
	return nil
}

// what reads the trigger and the task's name.
func (f *flags) what(c *Config, rest []string, getenv func(string) string) error {
	switch {
	case f.httpURL != "" && len(rest) > 0:
		return errors.New("--http and a command: choose one trigger")
	case f.httpURL == "" && len(rest) == 0:
		return errors.New("no trigger: give a command after -- or --http URL")
	case f.httpURL != "":
		u, err := url.Parse(f.httpURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("--http %q: want an http:// or https:// URL", f.httpURL)
		}
		c.HTTPURL = f.httpURL
	default:
		c.Command = rest
	}
	switch {
	case f.task == "":
		c.Task = f.lease
	case strings.Contains(f.task, "/"):
		if _, _, err := namespacedName(f.task); err != nil {
			return fmt.Errorf("--task %q: %w", f.task, err)
		}
		c.Task = f.task
	case PodNamespace(getenv) != "":
		c.Task = PodNamespace(getenv) + "/" + f.task
	default:
		return fmt.Errorf("--task %q: no namespace: give NAMESPACE/NAME or set %s", f.task, EnvPodNamespace)
	}
	return nil
}

func namespacedName(s string) (string, string, error) {
	ns, name, ok := strings.Cut(s, "/")
	if !ok || ns == "" || name == "" || strings.Contains(name, "/") {
		return "", "", errors.New("want NAMESPACE/NAME")
	}
	return ns, name, nil
}

func or(v, fallback string) string {
	if v != "" {
		return v
	}
	return fallback
}
