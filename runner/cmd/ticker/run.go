package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"time"

	"periodic.dev/runner/internal/checkpoint"
	"periodic.dev/runner/internal/clock"
	"periodic.dev/runner/internal/config"
	"periodic.dev/runner/internal/health"
	"periodic.dev/runner/internal/lease"
	"periodic.dev/runner/internal/metrics"
	"periodic.dev/runner/internal/proc"
	"periodic.dev/runner/internal/runloop"
	"periodic.dev/runner/internal/serve"
	"periodic.dev/runner/internal/trigger"
)

// deps are run's surroundings, replaced in tests.
type deps struct {
	clock    clock.Clock
	stderr   io.Writer
	getenv   func(string) string
	trigger  trigger.Trigger   // nil: from the config
	onListen func(addr string) // told the address served
}

// run runs the ticker until ctx is done, then lets the runs in flight end, releases the
// Lease and returns.
func run(ctx context.Context, cfg config.Config, d deps) error {
	log := slog.New(slog.NewJSONHandler(d.stderr, nil))
	if err := proc.BecomeSubreaper(); err != nil {
		log.Warn("orphans of runs go to init, not to the ticker", "error", err.Error())
	}
	if cfg.StateDir != "" {
		if err := os.MkdirAll(cfg.StateDir, 0o755); err != nil {
			return fmt.Errorf("--state-dir: %w", err)
		}
	}
	trig, closeTrigger, err := newTrigger(cfg, d)
	if err != nil {
		return &exitError{code: 2, err: err}
	}
	defer closeTrigger()

	met := metrics.New(d.clock)
	tracker := health.New(d.clock, cfg.Slots, cfg.Retries+1, cfg.Timeout, cfg.KillGrace)
	opts := []runloop.Option{runloop.WithClock(d.clock), runloop.WithLogger(log),
		runloop.WithObserver(met), runloop.WithObserver(tracker)}
	var holder *lease.Holder
	if cfg.LeaseName != "" {
		if holder, err = startHolder(ctx, cfg, d, log); err != nil {
			return &exitError{code: 3, err: err}
		}
		opts = append(opts, runloop.WithGuard(holder), runloop.WithStore(holder.Store()))
		met.HeldFrom(func() bool { _, ok := holder.Hold(); return ok })
	} else if cfg.StateDir != "" {
		opts = append(opts, runloop.WithStore(checkpoint.NewFile(cfg.StateDir)))
	}
	loop, err := runloop.New(runloop.Config{Slots: cfg.Slots, Chained: cfg.Chained, FirstDelay: cfg.JitterOffset,
		Timeout: cfg.Timeout, KillGrace: cfg.KillGrace, Retries: cfg.Retries, Policy: cfg.Concurrency,
		MaxConcurrent: cfg.MaxConcurrent, Missed: cfg.MissedRuns}, trig, opts...)
	if err != nil {
		return &exitError{code: 2, err: err}
	}

	var ready serve.Readiness
	var srv *serve.Server
	if cfg.Listen != "" {
		if srv, err = serve.Listen(cfg.Listen, serve.Handler(met.Handler(), tracker, &ready, cfg.Pprof)); err != nil {
			release(holder, cfg, log)
			return err
		}
		if d.onListen != nil {
			d.onListen(srv.Addr())
		}
	}
	lease := "none"
	if cfg.LeaseName != "" {
		lease = cfg.LeaseNamespace + "/" + cfg.LeaseName
	}
	log.Info("ticker started", "schedule", cfg.Describe, "task", cfg.Task, "lease", lease, "listen", cfg.Listen)
	ready.Set(true)
	// Not ready from the first signal on, while the runs in flight still take up to their deadline.
	context.AfterFunc(ctx, func() { ready.Set(false) })
	if cfg.Chained { // a FixedDelay loop waits --jitter-offset before its first run
		tracker.FirstRunNotBefore(d.clock.Now().Add(cfg.JitterOffset))
	}
	loop.Run(ctx) // returns once the runs in flight have ended
	ready.Set(false)
	log.Info("ticker stopping: runs ended")
	release(holder, cfg, log)
	if srv != nil {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(sctx); err != nil {
			log.Warn("HTTP server shutdown", "error", err.Error())
		}
	}
	return nil
}

func newTrigger(cfg config.Config, d deps) (trigger.Trigger, func(), error) {
	if d.trigger != nil {
		return d.trigger, func() {}, nil
	}
	opts := []trigger.Option{trigger.WithTask(cfg.Task), trigger.WithStateDir(cfg.StateDir), trigger.WithKillGrace(cfg.KillGrace)}
	if cfg.HTTPURL != "" {
		return trigger.NewHTTP(cfg.HTTPURL, nil, opts...), func() {}, nil
	}
	e, err := trigger.NewExec(cfg.Command, opts...)
	if err != nil {
		return nil, nil, err
	}
	return e, func() { e.Close() }, nil
}

// startHolder makes the first attempt on the Lease and keeps it from then on.
func startHolder(ctx context.Context, cfg config.Config, d deps, log *slog.Logger) (*lease.Holder, error) {
	creds, err := lease.CredentialsFromEnv(d.getenv)
	if err != nil {
		return nil, err
	}
	client, err := lease.NewClient(creds, cfg.LeaseNamespace, cfg.LeaseName)
	if err != nil {
		return nil, err
	}
	h, err := lease.NewHolder(client, identity(d.getenv), cfg.LeaseDuration, cfg.RenewDeadline,
		lease.WithClock(d.clock), lease.WithLogger(log))
	if err != nil {
		return nil, err
	}
	if err := h.Start(ctx); err != nil {
		return nil, err
	}
	return h, nil
}

// identity is the Lease holder identity: the pod name (PERIODIC_POD_NAME or POD_NAME, from
// the downward API), else the host name, and the pid.
func identity(getenv func(string) string) string {
	name := config.PodName(getenv)
	if name == "" {
		name, _ = os.Hostname()
	}
	return name + "_" + strconv.Itoa(os.Getpid())
}

func release(h *lease.Holder, cfg config.Config, log *slog.Logger) {
	if h == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), cfg.RenewDeadline)
	defer cancel()
	if err := h.Release(ctx); err != nil {
		log.Warn("lease not released; it expires after --lease-duration", "error", err.Error())
		return
	}
	log.Info("lease released")
}
