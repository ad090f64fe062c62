// Command benchrun measures the start lateness of the ticker runner against a bare Go
// time.Ticker loop doing the same exec, side by side, at each slot period (100ms, 1s) and
// load (idle; every CPU busy with a burner), plus the runner's resident set and the
// accuracy of its timer technique without fork. It prints a table and, with -json, writes
// the figures to a file. It asserts nothing about speed: it exits 1 only when something
// broke (a process did not start or died, no samples, a malformed line), 130 when
// interrupted. See bench/README.md.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"time"

	"periodic.dev/bench/internal/report"
)

// config is the benchmark's flags.
type config struct {
	binDir      string
	seconds     int
	periods     []time.Duration
	loads       []string
	burners     int
	warmup      time.Duration
	bareOffset  float64 // fraction of the period
	jsonPath    string
	probe       string // file name in binDir of the program the runs exec
	soakSeconds int    // 0: no soak
	stderr      io.Writer
}

func (c config) bin(name string) string { return filepath.Join(c.binDir, name) }

func parseFlags(args []string, stderr io.Writer) (config, error) {
	c := config{stderr: stderr}
	fs := flag.NewFlagSet("benchrun", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.binDir, "bin", "bench/bin", "directory with ticker, probe, bareloop, wakeup and burn")
	fs.IntVar(&c.seconds, "seconds", 60, "measured seconds per condition (slot period × load)")
	slotList := fs.String("slots", "100ms,1s", "slot periods, comma-separated")
	loadList := fs.String("loads", "idle,busy", "loads, comma-separated: idle, busy")
	fs.IntVar(&c.burners, "burners", runtime.NumCPU(), "CPU burners in the busy condition")
	fs.DurationVar(&c.warmup, "warmup", 2*time.Second, "time after the start before the measured window")
	fs.Float64Var(&c.bareOffset, "bare-offset", 0.5, "the bare loop's slots are this fraction of a period after the ticker's")
	fs.StringVar(&c.jsonPath, "json", "", "also write the figures as JSON to this file")
	fs.IntVar(&c.soakSeconds, "soak-seconds", 120, "then run the ticker alone this long, metrics served, for its steady-state RSS; 0: no soak")
	fs.StringVar(&c.probe, "probe", "auto", "what the runs exec: probe-c (C, fork/exec without a Go runtime start), "+
		"probe (Go), or auto: probe-c when built, else probe")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if c.seconds < 1 || c.burners < 0 || c.soakSeconds < 0 || c.bareOffset <= 0 || c.bareOffset >= 1 {
		return c, errors.New("-seconds ≥ 1, -burners ≥ 0, -soak-seconds ≥ 0 and 0 < -bare-offset < 1")
	}
	if c.probe == "auto" {
		c.probe = "probe"
		if _, err := os.Stat(c.bin("probe-c")); err == nil {
			c.probe = "probe-c"
		}
	}
	if c.probe != "probe" && c.probe != "probe-c" {
		return c, fmt.Errorf("-probe %q: want probe-c, probe or auto", c.probe)
	}
	for _, s := range strings.Split(*slotList, ",") {
		d, err := time.ParseDuration(strings.TrimSpace(s))
		if err != nil || d < 10*time.Millisecond {
			return c, fmt.Errorf("-slots: %q: want durations of at least 10ms", s)
		}
		c.periods = append(c.periods, d)
	}
	for _, l := range strings.Split(*loadList, ",") {
		if l = strings.TrimSpace(l); l != "idle" && l != "busy" {
			return c, fmt.Errorf("-loads: %q: want idle or busy", l)
		}
		c.loads = append(c.loads, strings.TrimSpace(l))
	}
	return c, nil
}

func main() {
	cfg, err := parseFlags(os.Args[1:], os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "benchrun: %v\n", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, cfg, os.Stdout))
}

// run runs every condition and prints the figures; it returns the exit code.
func run(ctx context.Context, cfg config, stdout io.Writer) int {
	meta := report.Meta{Command: strings.Join(os.Args, " "), Seconds: cfg.seconds, Started: time.Now().UTC(),
		Probe: cfg.probe, GoVersion: runtime.Version(), CPUs: runtime.NumCPU(), Kernel: kernel(), UptimeBefore: uptime()}
	phases, err := runAll(ctx, cfg)
	var soakFigures *report.Soak
	if err == nil && ctx.Err() == nil && cfg.soakSeconds > 0 {
		period := slices.Min(cfg.periods)
		fmt.Fprintf(cfg.stderr, "benchrun: soak, %v slots, %d s …\n", period, cfg.soakSeconds)
		s, serr := soak{cfg: cfg, period: period}.run(ctx)
		soakFigures, err = &s, serr
	}
	meta.UptimeAfter = uptime()
	if ctx.Err() != nil {
		fmt.Fprintf(cfg.stderr, "benchrun: interrupted; every process started is stopped\n")
		return 130
	}
	r := report.Build(meta, phases, soakFigures)
	if werr := r.WriteTable(stdout); werr != nil {
		err = errors.Join(err, werr)
	}
	if cfg.jsonPath != "" {
		err = errors.Join(err, writeJSON(cfg.jsonPath, r))
	}
	err = errors.Join(err, missing(r))
	if err != nil {
		fmt.Fprintf(cfg.stderr, "benchrun: something broke:\n%v\n", err)
		return 1
	}
	return 0
}

// runAll runs the conditions in order: for each load, each slot period. The burners of the
// busy load run through its periods and are stopped before the next load.
func runAll(ctx context.Context, cfg config) ([]report.Phase, error) {
	var phases []report.Phase
	for _, load := range cfg.loads {
		var burners []*child
		var errs []error
		if load == "busy" {
			var err error
			burners, err = startBurners(cfg, cfg.burners)
			if err != nil {
				errs = append(errs, err)
			} else {
				time.Sleep(time.Second) // let the burners take the CPUs
			}
		}
		for _, period := range cfg.periods {
			if errors.Join(errs...) != nil || ctx.Err() != nil {
				break
			}
			fmt.Fprintf(cfg.stderr, "benchrun: %s, %v slots, %d s …\n", load, period, cfg.seconds)
			p, err := phase{cfg: cfg, period: period, load: load}.run(ctx)
			p.Machine.Burners = len(burners)
			phases = append(phases, p)
			errs = append(errs, err)
			errs = append(errs, diedEarly(burners))
		}
		for _, b := range burners {
			errs = append(errs, b.stop(syscall.SIGKILL, stopGrace))
		}
		if err := errors.Join(errs...); err != nil {
			return phases, err
		}
	}
	return phases, nil
}

func diedEarly(cs []*child) error {
	var errs []error
	for _, c := range cs {
		errs = append(errs, c.diedEarly())
	}
	return errors.Join(errs...)
}

// missing reports conditions in which a subject or the wake-up sampler has no sample.
func missing(r report.Report) error {
	var errs []error
	for _, row := range r.Rows {
		if row.Launch.N == 0 || row.Child.N == 0 {
			errs = append(errs, fmt.Errorf("%s, %s slots, %s: no samples (launch %d, child %d)",
				row.Load, row.Slot, row.Subject, row.Launch.N, row.Child.N))
		}
	}
	wakes := map[string]int{}
	for _, w := range r.Wakes {
		wakes[w.Load+" "+w.Slot] += w.Wake.N
	}
	for _, p := range r.Phases {
		if wakes[p.Load+" "+p.Slot] == 0 {
			errs = append(errs, fmt.Errorf("%s, %s slots: no wake-up samples", p.Load, p.Slot))
		}
	}
	if len(r.Rows) == 0 {
		errs = append(errs, errors.New("no figures at all"))
	}
	return errors.Join(errs...)
}

func writeJSON(path string, r report.Report) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("JSON: %w", err)
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("-json: %w", err)
	}
	return nil
}

// uptime is the output of uptime(1) (time, users, load averages), or /proc/loadavg.
func uptime() string {
	if out, err := exec.Command("uptime").Output(); err == nil {
		return strings.TrimSpace(string(out))
	}
	b, _ := os.ReadFile("/proc/loadavg")
	return "loadavg " + strings.TrimSpace(string(b))
}

func kernel() string {
	b, _ := os.ReadFile("/proc/sys/kernel/osrelease")
	return strings.TrimSpace(string(b))
}
