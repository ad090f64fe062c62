package lease

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"time"

	"periodic.dev/runner/internal/checkpoint"
)

var (
	errTaken    = errors.New("taken over by another holder")
	errDeadline = errors.New("not renewed within the renew deadline")
	errReleased = errors.New("released at shutdown")
)

// tryAcquire takes the Lease when it is free, ours already (a restarted runner of the same
// identity) or expired. A Lease held by another, or won by another in a race (conflict),
// is no error: this runner stands by.
func (h *Holder) tryAcquire(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, h.renewDeadline)
	defer cancel()
	start := h.clock.Now()
	l, err := h.client.Get(ctx)
	if err != nil {
		return err
	}
	h.mu.Lock()
	h.observe(l, h.clock.Now())
	expiry := h.observedAt.Add(orDuration(l.Duration, h.duration))
	h.mu.Unlock()
	if l.Holder != "" && l.Holder != h.identity && h.clock.Now().Before(expiry) {
		return nil
	}
	w := l.clone()
	if l.Holder != h.identity {
		w.Transitions++
	}
	w.Holder, w.Duration, w.AcquireTime, w.RenewTime = h.identity, h.duration, start, start
	written, err := h.client.Update(ctx, w)
	if errors.Is(err, ErrConflict) {
		return nil
	}
	if err != nil {
		return err
	}
	state, err := checkpoint.FromAnnotations(written.Annotations)
	if err != nil {
		h.log.Warn("checkpoint annotations unreadable; starting without them", "error", err.Error())
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.observe(written, h.clock.Now())
	h.loaded, h.pending = state, state
	h.setHeld(true, start, nil)
	return nil
}

func orDuration(d, fallback time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return fallback
}

// renewOrLose renews the hold and returns when to act next. The request may take no longer
// than what is left of the renew deadline; when that has passed without a renewal, the
// hold is lost, and with it the runs in flight are stopped.
func (h *Holder) renewOrLose(ctx context.Context) time.Time {
	h.mu.Lock()
	deadline := h.lastRenew.Add(h.renewDeadline)
	h.mu.Unlock()
	start := h.clock.Now()
	err := errDeadline
	if start.Before(deadline) {
		rctx, cancel := context.WithTimeout(ctx, deadline.Sub(start))
		err = h.write(rctx, start, false)
		cancel()
	}
	now := h.clock.Now()
	switch {
	case err == nil:
		return start.Add(h.renewEvery())
	case ctx.Err() != nil: // shutting down: Release decides
		return now
	case errors.Is(err, errTaken) || !now.Before(deadline):
		h.mu.Lock()
		h.setHeld(false, time.Time{}, err)
		h.mu.Unlock()
		return now.Add(h.retryEvery())
	}
	h.log.Warn("lease renewal failed; retrying", "error", err.Error())
	if next := now.Add(h.retryEvery()); next.Before(deadline) {
		return next
	}
	return deadline
}

// write renews the Lease (or releases it: holder "") with the pending annotations. A
// conflict with a Lease still ours (someone edited its metadata) is written over once more.
func (h *Holder) write(ctx context.Context, now time.Time, release bool) error {
	for range 2 {
		h.mu.Lock()
		w := h.lease.clone()
		maps.Copy(w.Annotations, h.pending.Annotations())
		h.mu.Unlock()
		w.Holder, w.Duration, w.RenewTime = h.identity, h.duration, now
		if release {
			w.Holder = ""
		}
		written, err := h.client.Update(ctx, w)
		if errors.Is(err, ErrConflict) {
			cur, gerr := h.client.Get(ctx)
			if gerr != nil {
				return gerr
			}
			h.mu.Lock()
			h.observe(cur, h.clock.Now())
			h.mu.Unlock()
			if cur.Holder != h.identity {
				return fmt.Errorf("%w %q", errTaken, cur.Holder)
			}
			continue
		}
		if err != nil {
			return err
		}
		h.mu.Lock()
		h.observe(written, h.clock.Now())
		if h.held {
			h.lastRenew = now
		}
		h.mu.Unlock()
		return nil
	}
	return fmt.Errorf("lease update: %w twice", ErrConflict)
}

// Release stops keeping the hold and, when held, writes the Lease free (holder "") with the
// last annotations, so that a standby takes over at its next look. Call it once the runs
// have ended.
func (h *Holder) Release(ctx context.Context) error {
	if h.stop != nil {
		h.stop()
		<-h.done
	}
	h.mu.Lock()
	held := h.held
	h.mu.Unlock()
	if !held {
		return nil
	}
	err := h.write(ctx, h.clock.Now(), true)
	h.mu.Lock()
	h.setHeld(false, time.Time{}, errReleased)
	h.mu.Unlock()
	if err != nil {
		return fmt.Errorf("lease release: %w", err)
	}
	return nil
}
