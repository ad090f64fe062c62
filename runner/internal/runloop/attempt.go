package runloop

import (
	"context"
	"errors"
	"log/slog"

	"periodic.dev/runner/internal/result"
	"periodic.dev/runner/internal/trigger"
)

// execute runs the attempts of r: first (already started, or nil to start it here), then
// retries while they may. The run leaves the set in flight before its last record is
// reported, so whoever sees that record sees the run over.
func (l *Loop) execute(r *run, first *attempt) {
	defer l.wg.Done()
	a := first
	for n := 1; ; n++ {
		if a == nil {
			a = l.start(r, n)
		}
		rec := l.finish(a)
		a = nil
		last := rec.Kind == result.Success || !l.mayRetry(r, n)
		if last {
			l.mu.Lock()
			delete(l.inflight, r)
			l.mu.Unlock()
			r.cancel(nil)
			close(r.done)
		}
		l.report(rec)
		if last {
			return
		}
	}
}

// mayRetry: a retry starts only if retries are left, the run was not stopped, shutdown has
// not begun, and it can end before the next slot: even timed out and killed, that is
// within timeout + kill grace from now.
func (l *Loop) mayRetry(r *run, attempts int) bool {
	if attempts > l.cfg.Retries || r.ctx.Err() != nil || l.stopping.Load() {
		return false
	}
	return r.next.IsZero() || l.clock.Now().Add(l.cfg.Timeout+l.cfg.KillGrace).Before(r.next)
}

// attempt is one started attempt of a run.
type attempt struct {
	rec    result.Record
	ctx    context.Context
	cancel context.CancelCauseFunc
	stop   func() bool // the deadline's timer
	x      trigger.Execution
	err    error // from starting it
}

// start launches attempt n of r with its deadline. It is on the path from the slot's
// instant to the process, so it does no more than that: the deadline's timer is armed
// only once the run is under way (arming a runtime timer took up to milliseconds there),
// for the same instant, launched + timeout. A stop of r meanwhile (Replace, a lost hold)
// needs no timer: it cancels ctx, which the run watches from Start on.
func (l *Loop) start(r *run, n int) *attempt {
	ctx, cancel := context.WithCancelCause(r.ctx)
	// Start is when the runner launches the run; creating the process (fork and exec, a
	// fraction of a millisecond to a few on a busy node) counts into the run's duration.
	launched := l.clock.Now()
	deadline := launched.Add(l.cfg.Timeout)
	x, err := l.trigger.Start(ctx, trigger.Attempt{Slot: r.slot, Number: n, Deadline: deadline})
	stop := notArmed
	if err == nil { // a run that did not start has nothing to time out
		stop = l.clock.AfterFunc(deadline.Sub(l.clock.Now()), func() { cancel(ErrDeadline) })
	}
	a := &attempt{rec: result.Record{Slot: r.slot, Attempt: n, Start: launched, CatchUp: r.catchUp},
		ctx: ctx, cancel: cancel, stop: stop, x: x, err: err}
	l.started(a.rec)
	return a
}

func notArmed() bool { return false }

// finish waits for a started attempt to end and returns its record.
func (l *Loop) finish(a *attempt) result.Record {
	defer a.cancel(nil)
	defer a.stop()
	rec := a.rec
	if a.err != nil {
		rec.End, rec.Kind, rec.Detail = rec.Start, result.Failure, a.err.Error()
		return rec
	}
	o := a.x.Wait()
	rec.End, rec.Code = l.clock.Now(), o.Code
	rec.Kind, rec.Detail = classify(o, context.Cause(a.ctx))
	return rec
}

// classify tells how an attempt ended. A run that ended on its own keeps its own result
// even when its deadline passed a moment later.
func classify(o trigger.Outcome, cause error) (result.Kind, string) {
	switch {
	case o.Stopped && errors.Is(cause, ErrDeadline), errors.Is(o.Err, context.DeadlineExceeded):
		return result.Timeout, detail(ErrDeadline, o.Err)
	case o.Stopped:
		return result.Failure, detail(cause, o.Err)
	case o.Err != nil:
		return result.Failure, o.Err.Error()
	}
	return result.Success, ""
}

func detail(why, how error) string {
	if how == nil {
		return why.Error()
	}
	return why.Error() + ": " + how.Error()
}

func (l *Loop) started(rec result.Record) {
	for _, o := range l.obs {
		o.RunStarted(rec)
	}
}

// report keeps the checkpoint, logs the run's line and tells the observers.
func (l *Loop) report(rec result.Record) {
	if rec.Kind != result.Skipped {
		l.mu.Lock()
		l.state = l.state.With(rec)
		s := l.state
		l.mu.Unlock()
		if l.store != nil {
			if err := l.store.Save(s); err != nil {
				l.log.Warn("checkpoint not saved", "error", err.Error())
			}
		}
	}
	l.logRun(rec)
	for _, o := range l.obs {
		o.RunEnded(rec)
	}
}

// logRun writes the run's one JSON line: durations in seconds.
func (l *Loop) logRun(rec result.Record) {
	level := slog.LevelInfo
	if rec.Kind == result.Failure || rec.Kind == result.Timeout {
		level = slog.LevelWarn
	}
	attrs := []slog.Attr{
		slog.String("slot", trigger.FormatTime(rec.Slot)),
		slog.Int("attempt", rec.Attempt),
		slog.String("result", string(rec.Kind)),
		slog.Float64("duration", rec.Duration().Seconds()),
		slog.Float64("lateness", rec.Lateness().Seconds()),
	}
	if rec.Kind != result.Skipped {
		attrs = append(attrs, slog.Int("code", rec.Code))
	}
	if rec.Detail != "" {
		attrs = append(attrs, slog.String("detail", rec.Detail))
	}
	if rec.CatchUp {
		attrs = append(attrs, slog.Bool("catch_up", true))
	}
	if rec.Passed > 0 {
		attrs = append(attrs, slog.Int("slots", rec.Passed))
	}
	l.log.LogAttrs(context.Background(), level, "run", attrs...)
}
