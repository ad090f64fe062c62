package runloop

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"periodic.dev/runner/internal/result"
	"periodic.dev/runner/internal/trigger"
)

func TestDeadlineTimesOut(t *testing.T) {
	h := start(t, Config{Slots: every(t, time.Second), Timeout: 300 * time.Millisecond}, at(500*time.Millisecond))
	h.step(at(time.Second))
	h.started(at(time.Second), 1)
	h.step(at(1300 * time.Millisecond))
	rec := h.ended(at(time.Second), 1, result.Timeout)
	if !strings.Contains(rec.Detail, "deadline") || rec.Code != 143 {
		t.Fatalf("record %+v", rec)
	}
	h.step(at(2 * time.Second)) // the schedule goes on
	h.started(at(2*time.Second), 1).succeed()
	h.ended(at(2*time.Second), 1, result.Success)
}

func TestFailuresAreCountedAndTheScheduleGoesOn(t *testing.T) {
	h := start(t, Config{Slots: every(t, time.Second)}, at(500*time.Millisecond))
	h.step(at(time.Second))
	h.started(at(time.Second), 1).fail(3)
	if rec := h.ended(at(time.Second), 1, result.Failure); rec.Code != 3 {
		t.Fatalf("code %d", rec.Code)
	}
	h.step(at(2 * time.Second))
	h.started(at(2*time.Second), 1).succeed()
	h.ended(at(2*time.Second), 1, result.Success)
}

func TestRetriesInsideASlot(t *testing.T) {
	type attempt struct {
		timeOut bool // else it fails at once
		kind    result.Kind
	}
	tests := []struct {
		name      string
		timeout   time.Duration
		killGrace time.Duration
		retries   int
		attempts  []attempt
	}{
		{"no retries", 300 * time.Millisecond, 0, 0, []attempt{{false, result.Failure}}},
		{"failures retried at once, up to the retries", 300 * time.Millisecond, 0, 2,
			[]attempt{{false, result.Failure}, {false, result.Failure}, {false, result.Failure}}},
		{"timeouts retried while they end before the next slot", 300 * time.Millisecond, 0, 5,
			// 1.0→1.3, 1.3→1.6, 1.6→1.9; a fourth would end at 2.2, after the slot at 2.0.
			[]attempt{{true, result.Timeout}, {true, result.Timeout}, {true, result.Timeout}}},
		{"a retry that cannot end in time does not start", 400 * time.Millisecond, 0, 5,
			[]attempt{{true, result.Timeout}, {true, result.Timeout}}},
		{"a retry that would end exactly at the next slot does not start", 500 * time.Millisecond, 0, 5,
			[]attempt{{true, result.Timeout}}},
		{"the kill grace counts: a retry must end before the next slot even if killed", 300 * time.Millisecond, 100 * time.Millisecond, 5,
			// 1.0→1.3, 1.3→1.6; a third could end at 2.0 (1.6 + 0.3 + 0.1): not before the slot.
			[]attempt{{true, result.Timeout}, {true, result.Timeout}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := start(t, Config{Slots: every(t, time.Second), Timeout: tt.timeout, KillGrace: tt.killGrace, Retries: tt.retries}, at(500*time.Millisecond))
			slot := at(time.Second)
			h.step(slot)
			now := slot
			for i, a := range tt.attempts {
				r := h.started(slot, i+1)
				if a.timeOut {
					now = now.Add(tt.timeout)
					h.step(now)
				} else {
					r.fail(1)
				}
				h.ended(slot, i+1, a.kind)
			}
			h.quiet()
			h.step(at(2 * time.Second)) // the next slot starts afresh
			h.started(at(2*time.Second), 1).succeed()
			h.ended(at(2*time.Second), 1, result.Success)
		})
	}
}

func TestSuccessEndsTheRetries(t *testing.T) {
	h := start(t, Config{Slots: every(t, time.Second), Timeout: 100 * time.Millisecond, Retries: 3}, at(500*time.Millisecond))
	h.step(at(time.Second))
	h.started(at(time.Second), 1).fail(1)
	h.ended(at(time.Second), 1, result.Failure)
	h.started(at(time.Second), 2).succeed()
	h.ended(at(time.Second), 2, result.Success)
	h.quiet()
}

func TestClassify(t *testing.T) {
	exit3 := errors.New("exit status 3")
	tests := []struct {
		name   string
		o      trigger.Outcome
		cause  error
		kind   result.Kind
		detail string
	}{
		{"success", trigger.Outcome{}, nil, result.Success, ""},
		{"non-zero exit", trigger.Outcome{Err: exit3, Code: 3}, nil, result.Failure, "exit status 3"},
		{"stopped at the deadline", trigger.Outcome{Stopped: true, Err: errors.New("killed by SIGTERM")}, ErrDeadline, result.Timeout, "deadline (--timeout) passed: killed by SIGTERM"},
		{"request deadline", trigger.Outcome{Err: fmt.Errorf("Post: %w", context.DeadlineExceeded)}, nil, result.Timeout, "deadline"},
		{"replaced", trigger.Outcome{Stopped: true}, ErrReplaced, result.Failure, "replaced by the next slot"},
		{"ended on its own as the deadline passed", trigger.Outcome{}, ErrDeadline, result.Success, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kind, detail := classify(tt.o, tt.cause)
			if kind != tt.kind || !strings.Contains(detail, tt.detail) {
				t.Fatalf("classify = %s %q, want %s %q", kind, detail, tt.kind, tt.detail)
			}
		})
	}
}

// The deadline's timer is armed after Start, for launched + timeout: time that Start takes
// does not move it.
func TestDeadlineIsLaunchPlusTimeoutWhenStartTakesTime(t *testing.T) {
	h := start(t, Config{Slots: every(t, time.Second), Timeout: 300 * time.Millisecond}, at(500*time.Millisecond))
	h.trig.setOnStart(func(trigger.Attempt) error { h.clock.Advance(100 * time.Millisecond); return nil })
	h.step(at(time.Second))
	r := h.started(at(time.Second), 1)
	if want := at(1300 * time.Millisecond); !r.a.Deadline.Equal(want) {
		t.Fatalf("attempt's deadline %v, want %v", r.a.Deadline, want)
	}
	h.clock.Set(at(1300*time.Millisecond - time.Nanosecond)) // before or after the arming: the same
	h.quiet()
	h.step(at(1300 * time.Millisecond))
	rec := h.ended(at(time.Second), 1, result.Timeout)
	if !rec.Start.Equal(at(time.Second)) || !rec.End.Equal(at(1300*time.Millisecond)) {
		t.Fatalf("record %v → %v, want 1s → 1.3s", rec.Start, rec.End)
	}
}

// waitingOnly checks that the only waiter left on the clock is the loop's next wake-up:
// no deadline timer is left behind.
func (h *harness) waitingOnly(wake time.Time) {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), generous)
	defer cancel()
	if err := h.clock.AwaitWaiter(ctx, func(w time.Time) bool { return w.Equal(wake) }); err != nil {
		h.t.Fatalf("nothing waits for %v (waiting: %v)", wake, h.clock.Waiting())
	}
	if w := h.clock.Waiting(); len(w) != 1 {
		h.t.Fatalf("waiting for %v, want only the next slot %v", w, wake)
	}
}

func TestAFailedStartLeavesNoDeadline(t *testing.T) {
	h := start(t, Config{Slots: every(t, time.Second), Timeout: 300 * time.Millisecond, Retries: 1}, at(500*time.Millisecond))
	h.trig.setOnStart(func(trigger.Attempt) error { return errors.New("fork/exec: no such file") })
	h.step(at(time.Second))
	for n := 1; n <= 2; n++ {
		if rec := h.ended(at(time.Second), n, result.Failure); !strings.Contains(rec.Detail, "no such file") {
			t.Fatalf("attempt %d: detail %q", n, rec.Detail)
		}
	}
	h.waitingOnly(at(2 * time.Second))
	h.quiet()
}

// inStart makes Start block until the returned release is called; entered is told first.
func inStart(h *harness) (entered <-chan struct{}, release func()) {
	in, out := make(chan struct{}), make(chan struct{})
	h.trig.setOnStart(func(trigger.Attempt) error {
		in <- struct{}{}
		<-out
		return nil
	})
	return in, func() { h.trig.setOnStart(nil); out <- struct{}{} }
}

func TestAStopDuringStartStopsTheRun(t *testing.T) {
	// The hold is lost while the process is being launched, before its deadline is armed.
	g := newFakeGuard()
	g.set(true)
	h := start(t, Config{Slots: every(t, time.Second), Timeout: 300 * time.Millisecond, Retries: 2}, at(500*time.Millisecond), WithGuard(g))
	entered, release := inStart(h)
	h.step(at(time.Second))
	<-entered
	g.set(false)
	release()
	h.started(at(time.Second), 1)
	if rec := h.ended(at(time.Second), 1, result.Failure); !strings.Contains(rec.Detail, "lease lost") {
		t.Fatalf("detail %q", rec.Detail)
	}
	h.waitingOnly(at(2 * time.Second)) // its deadline's timer is gone with it
	h.quiet()                          // and no retry
}

func TestShutdownDuringStartKeepsTheDeadline(t *testing.T) {
	h := start(t, Config{Slots: every(t, time.Second), Timeout: 300 * time.Millisecond}, at(500*time.Millisecond))
	entered, release := inStart(h)
	h.step(at(time.Second))
	<-entered
	h.cancel() // SIGTERM: the run in flight ends within its deadline
	release()
	h.started(at(time.Second), 1)
	h.step(at(1300 * time.Millisecond))
	h.ended(at(time.Second), 1, result.Timeout)
	select {
	case <-h.done:
	case <-time.After(generous):
		t.Fatal("loop did not stop after its last run")
	}
}
