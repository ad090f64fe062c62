// Package runloop fires runs at their slots: it waits for each slot, asks the guard
// whether this runner may run, applies the concurrency policy and the missed-runs policy,
// runs the attempts of a slot with their deadlines and retries, and reports every run.
package runloop

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"periodic.dev/runner/internal/checkpoint"
	"periodic.dev/runner/internal/clock"
	"periodic.dev/runner/internal/result"
	"periodic.dev/runner/internal/schedule"
	"periodic.dev/runner/internal/trigger"
)

// Policy is the concurrency policy: what a slot does while a run is in flight.
type Policy string

const (
	Forbid  Policy = "Forbid"  // the slot is skipped and counted
	Allow   Policy = "Allow"   // another run starts, up to Config.MaxConcurrent
	Replace Policy = "Replace" // the run in flight is stopped, then the new one starts
)

// Missed is the missed-runs policy: what happens to slots that passed while no runner ran.
type Missed string

const (
	Skip    Missed = "Skip"    // nothing: the schedule goes on with the next slot
	RunOnce Missed = "RunOnce" // one catch-up run for the latest missed slot, never a burst
)

// Config is what the loop does.
type Config struct {
	Slots schedule.Slots
	// Chained: FixedDelay, each slot is Slots.Next(end of the previous run); runs never overlap.
	Chained bool
	// FirstDelay: Chained only, the first slot is this long after the start.
	FirstDelay    time.Duration
	Timeout       time.Duration // deadline of one attempt; > 0
	KillGrace     time.Duration // how long a stopped run may take to end (SIGTERM to SIGKILL)
	Retries       int           // attempts after the first within one slot
	Policy        Policy
	MaxConcurrent int // Allow only: runs in flight at most
	Missed        Missed
}

// Observer is told about every run; metrics and the health check are observers.
type Observer interface {
	RunStarted(r result.Record)         // Start is set
	RunEnded(r result.Record)           // End is set; also for skipped slots
	Holding(held bool, since time.Time) // the runner gained or lost the right to run
}

// Causes of a stopped run, as context.Cause tells them.
var (
	ErrDeadline = errors.New("deadline (--timeout) passed")
	ErrReplaced = errors.New("replaced by the next slot (--concurrency Replace)")
)

// Loop is the run loop.
type Loop struct {
	cfg     Config
	trigger trigger.Trigger
	clock   clock.Clock
	guard   Guard
	store   checkpoint.Store
	obs     []Observer
	log     *slog.Logger

	stopping atomic.Bool // no retries once shutdown began
	wg       sync.WaitGroup
	mu       sync.Mutex
	inflight map[*run]struct{}
	state    checkpoint.State
}

// Option configures a Loop.
type Option func(*Loop)

// WithClock sets the clock (default clock.Real).
func WithClock(c clock.Clock) Option { return func(l *Loop) { l.clock = c } }

// WithGuard sets who decides whether this runner may run (default: always).
func WithGuard(g Guard) Option { return func(l *Loop) { l.guard = g } }

// WithStore sets where the checkpoint lives (default: nowhere).
func WithStore(s checkpoint.Store) Option { return func(l *Loop) { l.store = s } }

// WithObserver adds an observer.
func WithObserver(o Observer) Option { return func(l *Loop) { l.obs = append(l.obs, o) } }

// WithLogger sets where the one line per run goes (default: nowhere).
func WithLogger(log *slog.Logger) Option { return func(l *Loop) { l.log = log } }

// New returns a loop that starts runs with t.
func New(cfg Config, t trigger.Trigger, opts ...Option) (*Loop, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	l := &Loop{cfg: cfg, trigger: t, clock: clock.Real{}, guard: Unguarded{},
		log: slog.New(slog.NewJSONHandler(io.Discard, nil)), inflight: map[*run]struct{}{}}
	for _, o := range opts {
		o(l)
	}
	return l, nil
}

func (c Config) validate() error {
	switch {
	case c.Slots == nil:
		return errors.New("runloop: no schedule")
	case c.Timeout <= 0:
		return fmt.Errorf("runloop: timeout %v: must be positive", c.Timeout)
	case c.KillGrace < 0:
		return fmt.Errorf("runloop: kill grace %v: must not be negative", c.KillGrace)
	case c.Retries < 0:
		return fmt.Errorf("runloop: retries %d: must not be negative", c.Retries)
	case c.Policy != Forbid && c.Policy != Allow && c.Policy != Replace:
		return fmt.Errorf("runloop: concurrency policy %q: want Forbid, Allow or Replace", c.Policy)
	case c.Policy == Allow && c.MaxConcurrent < 1:
		return fmt.Errorf("runloop: max concurrent %d: must be at least 1", c.MaxConcurrent)
	case c.Missed != Skip && c.Missed != RunOnce:
		return fmt.Errorf("runloop: missed-runs policy %q: want Skip or RunOnce", c.Missed)
	}
	return nil
}

// Run fires runs until ctx is done, then lets the runs in flight end (each within its
// deadline, no new attempts) and returns.
func (l *Loop) Run(ctx context.Context) {
	stop := context.AfterFunc(ctx, func() { l.stopping.Store(true) })
	defer stop()
	if l.cfg.Chained {
		l.runChained(ctx)
	} else {
		l.runSlots(ctx)
	}
	l.stopping.Store(true)
	l.wg.Wait()
}

// runSlots is the loop of a fixed grid of slots (FixedRate, cron). At every wake-up it
// fires the latest slot due since the last wake-up — one run, however many slots passed.
func (l *Loop) runSlots(ctx context.Context) {
	now := l.clock.Now()
	considered := now // slots up to here are decided
	holding := false
	for wake := now; ; {
		if l.clock.WaitUntil(ctx, wake) != nil {
			return
		}
		now = l.clock.Now()
		from := considered
		hold, ok := l.guard.Hold()
		if ok != holding {
			holding = ok
			l.holding(ok, now)
			if ok {
				from = l.resume(considered)
			}
		}
		if ok {
			// A slot not after the previous wake-up is one missed while no runner ran.
			if slot, due := schedule.Latest(l.cfg.Slots, from, now); due {
				l.fire(hold, slot, !slot.After(considered))
				if from == considered { // held all along: slots before this one were slept through
					l.passedOver(considered, slot, now)
				}
			}
		}
		considered = now
		if wake = l.cfg.Slots.Next(now); wake.IsZero() {
			return
		}
	}
}
