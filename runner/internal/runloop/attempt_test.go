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
