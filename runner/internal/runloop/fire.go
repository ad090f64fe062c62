package runloop

import (
	"context"
	"fmt"
	"time"

	"periodic.dev/runner/internal/checkpoint"
	"periodic.dev/runner/internal/result"
)

// run is one slot's run in flight, with its attempts.
type run struct {
	slot    time.Time
	next    time.Time // the slot after: a retry must end before it; zero when Chained
	catchUp bool
	ctx     context.Context // under the guard's hold; cancelled to stop the run
	cancel  context.CancelCauseFunc
	done    chan struct{}
}

// fire applies the concurrency policy to slot and starts its run, or skips it.
func (l *Loop) fire(hold context.Context, slot time.Time, catchUp bool) {
	l.mu.Lock()
	n := len(l.inflight)
	var victims []*run
	switch {
	case n == 0:
	case l.cfg.Policy == Forbid:
		l.mu.Unlock()
		l.skip(slot, catchUp, "a run is in flight (--concurrency Forbid)")
		return
	case l.cfg.Policy == Allow && n >= l.cfg.MaxConcurrent:
		l.mu.Unlock()
		l.skip(slot, catchUp, fmt.Sprintf("%d runs in flight, as many as --max-concurrent allows", n))
		return
	case l.cfg.Policy == Replace:
		for r := range l.inflight {
			victims = append(victims, r)
		}
	}
	l.mu.Unlock()
	for _, v := range victims {
		v.cancel(ErrReplaced)
	}
	for _, v := range victims { // the new run starts only once the old one has ended
		<-v.done
	}
	r := l.register(hold, slot, l.cfg.Slots.Next(slot), catchUp)
	// The first attempt starts here, on the loop's goroutine that woke at the slot, not on
	// a new goroutine that another thread may have to pick up first.
	go l.execute(r, l.start(r, 1))
}

// register puts a run in flight.
func (l *Loop) register(hold context.Context, slot, next time.Time, catchUp bool) *run {
	ctx, cancel := context.WithCancelCause(hold)
	r := &run{slot: slot, next: next, catchUp: catchUp, ctx: ctx, cancel: cancel, done: make(chan struct{})}
	l.mu.Lock()
	l.inflight[r] = struct{}{}
	l.mu.Unlock()
	l.wg.Add(1)
	return r
}

// maxPassedCounted bounds the walk that counts the slots passed over in one late wake-up
// (a runner stopped for an hour at --interval 1ms would otherwise walk 3.6 million).
const maxPassedCounted = 10000

// passedOver reports the slots in (after, fired) as one skipped record: the runner woke up
// too late for them (the process was stopped, the node starved it) and ran only the latest.
// It runs after that run has started, off the launch path.
func (l *Loop) passedOver(after, fired, now time.Time) {
	first := l.cfg.Slots.Next(after)
	n := 0
	for s := first; !s.IsZero() && s.Before(fired) && n < maxPassedCounted; s = l.cfg.Slots.Next(s) {
		n++
	}
	if n == 0 {
		return
	}
	count := fmt.Sprintf("%d slot(s)", n)
	if n == maxPassedCounted {
		count = fmt.Sprintf("at least %d slots", n)
	}
	why := fmt.Sprintf("%s passed while the runner was not running (stopped or starved); only the latest, %s, ran",
		count, fired.UTC().Format(time.RFC3339Nano))
	l.report(result.Record{Slot: first, Kind: result.Skipped, Start: now, End: now, Detail: why, Passed: n})
}

func (l *Loop) skip(slot time.Time, catchUp bool, why string) {
	now := l.clock.Now()
	l.report(result.Record{Slot: slot, Kind: result.Skipped, Start: now, End: now, Detail: why, CatchUp: catchUp})
}

// holding tells the observers that the runner gained or lost the right to run.
func (l *Loop) holding(held bool, at time.Time) {
	for _, o := range l.obs {
		o.Holding(held, at)
	}
}

// load reads the checkpoint, on gaining the right to run; later runs build on it.
func (l *Loop) load() checkpoint.State {
	var s checkpoint.State
	if l.store != nil {
		var err error
		if s, err = l.store.Load(); err != nil {
			l.log.Warn("checkpoint not read; going on without it", "error", err.Error())
		}
	}
	l.mu.Lock()
	l.state = s
	l.mu.Unlock()
	return s
}

// resume returns where the decided slots end after gaining the right to run: the
// checkpoint with RunOnce (so the latest slot missed since it is run once), else considered.
func (l *Loop) resume(considered time.Time) time.Time {
	s := l.load()
	if l.cfg.Missed == RunOnce && !s.LastSlot.IsZero() && s.LastSlot.Before(considered) {
		return s.LastSlot
	}
	return considered
}
