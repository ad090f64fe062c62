package lease

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"periodic.dev/runner/internal/checkpoint"
	"periodic.dev/runner/internal/clock"
)

// ErrLost is the cause of a hold's end: its runs are stopped with it.
var ErrLost = errors.New("lease lost")

// Holder keeps the runner's hold on the Lease: it acquires it when free or expired, renews
// it while held (writing the checkpoint annotations on these renewals), gives up the hold
// when it could not renew within the renew deadline, and releases it at shutdown.
//
// Expiry of another holder is judged the way client-go's leader election does: by when
// this runner last saw the Lease change (its resourceVersion), plus the holder's
// leaseDurationSeconds — never by comparing renewTime with this machine's clock, so clock
// skew between nodes does not matter.
type Holder struct {
	client        *Client
	identity      string
	duration      time.Duration
	renewDeadline time.Duration
	clock         clock.Clock
	log           *slog.Logger

	mu         sync.Mutex
	lease      *Lease    // as last read or written
	observedRV string    // resourceVersion last seen …
	observedAt time.Time // … and when it was first seen
	held       bool
	lastRenew  time.Time // start of the last successful acquire or renew request
	hold       context.Context
	drop       context.CancelCauseFunc
	changed    chan struct{}
	loaded     checkpoint.State // the annotations when the hold was gained
	pending    checkpoint.State // what the next write carries

	stop context.CancelFunc
	done chan struct{}
}

// Option configures a Holder.
type Option func(*Holder)

// WithClock sets the clock (default clock.Real).
func WithClock(c clock.Clock) Option { return func(h *Holder) { h.clock = c } }

// WithLogger sets where the Holder tells of gaining and losing the Lease.
func WithLogger(l *slog.Logger) Option { return func(h *Holder) { h.log = l } }

// NewHolder returns a holder of the Lease that client reaches, as identity. duration is
// --lease-duration (written into the Lease), renewDeadline --renew-deadline.
func NewHolder(client *Client, identity string, duration, renewDeadline time.Duration, opts ...Option) (*Holder, error) {
	if duration < time.Second || duration%time.Second != 0 {
		return nil, fmt.Errorf("lease duration %v: must be whole seconds, at least 1s", duration)
	}
	if renewDeadline <= 0 || renewDeadline >= duration {
		return nil, fmt.Errorf("renew deadline %v: must be positive and shorter than the lease duration %v", renewDeadline, duration)
	}
	h := &Holder{client: client, identity: identity, duration: duration, renewDeadline: renewDeadline,
		clock: clock.Real{}, log: slog.New(slog.NewTextHandler(io.Discard, nil)), changed: make(chan struct{})}
	for _, o := range opts {
		o(h)
	}
	return h, nil
}

// renewEvery is how long after a successful renewal the next one is made: twice within the
// renew deadline. retryEvery is how often a failed renewal is retried and how often a
// standby looks whether the Lease is free (client-go's 2s for the default 10s deadline).
func (h *Holder) renewEvery() time.Duration { return h.renewDeadline / 2 }
func (h *Holder) retryEvery() time.Duration { return h.renewDeadline / 5 }

// Start makes a first attempt to acquire, retrying for up to the renew deadline while the
// API cannot be asked, and then keeps the hold in the background until Release. An error
// means the API could not be reached for the Lease at all (the runner exits 3); a Lease
// held by another runner is no error (this one is a standby).
func (h *Holder) Start(ctx context.Context) error {
	giveUp := h.clock.Now().Add(h.renewDeadline)
	for {
		err := h.tryAcquire(ctx)
		if err == nil {
			break
		}
		if !h.clock.Now().Add(h.retryEvery()).Before(giveUp) {
			return fmt.Errorf("cannot reach the API for the Lease: %w", err)
		}
		h.log.Warn("lease not acquired yet", "error", err.Error())
		if err := h.clock.WaitUntil(ctx, h.clock.Now().Add(h.retryEvery())); err != nil {
			return fmt.Errorf("cannot reach the API for the Lease: %w", err)
		}
	}
	bg, stop := context.WithCancel(context.Background())
	h.stop, h.done = stop, make(chan struct{})
	go h.keep(bg)
	return nil
}

// keep renews or acquires, until ctx is done.
func (h *Holder) keep(ctx context.Context) {
	defer close(h.done)
	next := h.afterAcquiring()
	for h.clock.WaitUntil(ctx, next) == nil {
		if h.isHeld() {
			next = h.renewOrLose(ctx)
			continue
		}
		if err := h.tryAcquire(ctx); err != nil && ctx.Err() == nil {
			h.log.Warn("lease not acquired", "error", err.Error())
		}
		next = h.afterAcquiring()
	}
}

// afterAcquiring is when to act after an attempt to acquire: renew in time when held,
// else look again.
func (h *Holder) afterAcquiring() time.Time {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.held {
		return h.lastRenew.Add(h.renewEvery())
	}
	return h.clock.Now().Add(h.retryEvery())
}

func (h *Holder) isHeld() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.held
}

// Hold returns the context of the current hold and whether there is one. It holds only
// while the last renewal is younger than the renew deadline, even should the background
// goroutine lag.
func (h *Holder) Hold() (context.Context, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.held || !h.clock.Now().Before(h.lastRenew.Add(h.renewDeadline)) {
		return nil, false
	}
	return h.hold, true
}

// Changed returns a channel closed when the hold is next gained or lost.
func (h *Holder) Changed() <-chan struct{} {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.changed
}

// setHeld changes the hold; the caller holds h.mu.
func (h *Holder) setHeld(held bool, renewed time.Time, why error) {
	if held == h.held {
		return
	}
	h.held = held
	if held {
		h.lastRenew = renewed
		h.hold, h.drop = context.WithCancelCause(context.Background())
		h.log.Info("lease acquired: this runner runs the task", "holder", h.identity)
	} else {
		h.drop(fmt.Errorf("%w: %w", ErrLost, why))
		if errors.Is(why, errReleased) {
			h.log.Info("lease released at shutdown", "holder", h.identity)
		} else {
			h.log.Warn("lease lost: runs stopped, standing by", "error", why.Error())
		}
	}
	close(h.changed)
	h.changed = make(chan struct{})
}

// observe notes when the Lease was first seen at its resourceVersion; the caller holds h.mu.
func (h *Holder) observe(l *Lease, now time.Time) {
	h.lease = l
	if l.ResourceVersion != h.observedRV {
		h.observedRV, h.observedAt = l.ResourceVersion, now
	}
}
