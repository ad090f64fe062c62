package runloop

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"periodic.dev/runner/internal/checkpoint"
	"periodic.dev/runner/internal/clock"
	"periodic.dev/runner/internal/result"
	"periodic.dev/runner/internal/schedule"
	"periodic.dev/runner/internal/trigger"
)

// generous bounds every wait of these tests: a hang guard, never a speed assertion.
const generous = 30 * time.Second

var t0 = time.Date(2024, 7, 1, 0, 0, 0, 0, time.UTC)

// at returns t0 + d.
func at(d time.Duration) time.Time { return t0.Add(d) }

// fakeTrigger hands every started attempt to the test, which ends it.
type fakeTrigger struct {
	starts   chan *fakeRun
	mu       sync.Mutex
	inFlight int
	most     int                         // the most attempts in flight at once
	onStart  func(trigger.Attempt) error // called first by Start; an error fails the start
}

func newFakeTrigger() *fakeTrigger { return &fakeTrigger{starts: make(chan *fakeRun, 100)} }

type fakeRun struct {
	t   *fakeTrigger
	a   trigger.Attempt
	ctx context.Context
	end chan trigger.Outcome
}

// setOnStart sets what Start does first.
func (f *fakeTrigger) setOnStart(fn func(trigger.Attempt) error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.onStart = fn
}

func (f *fakeTrigger) Start(ctx context.Context, a trigger.Attempt) (trigger.Execution, error) {
	f.mu.Lock()
	onStart := f.onStart
	f.mu.Unlock()
	if onStart != nil {
		if err := onStart(a); err != nil {
			return nil, err
		}
	}
	f.mu.Lock()
	f.inFlight++
	f.most = max(f.most, f.inFlight)
	f.mu.Unlock()
	r := &fakeRun{t: f, a: a, ctx: ctx, end: make(chan trigger.Outcome, 1)}
	f.starts <- r
	return r, nil
}

func (r *fakeRun) Wait() trigger.Outcome {
	defer func() {
		r.t.mu.Lock()
		r.t.inFlight--
		r.t.mu.Unlock()
	}()
	select {
	case o := <-r.end:
		return o
	case <-r.ctx.Done():
		return trigger.Outcome{Stopped: true, Err: errors.New("killed by SIGTERM"), Code: 143}
	}
}

func (r *fakeRun) succeed() { r.end <- trigger.Outcome{} }
func (r *fakeRun) fail(code int) {
	r.end <- trigger.Outcome{Err: errors.New("exit status"), Code: code}
}

// recorder is an observer that hands every record to the test.
type recorder struct {
	ended   chan result.Record
	mu      sync.Mutex
	holding []bool
}

func newRecorder() *recorder { return &recorder{ended: make(chan result.Record, 100)} }

func (r *recorder) RunStarted(result.Record)   {}
func (r *recorder) RunEnded(rec result.Record) { r.ended <- rec }
func (r *recorder) Holding(held bool, _ time.Time) {
	r.mu.Lock()
	r.holding = append(r.holding, held)
	r.mu.Unlock()
}

// memStore is a checkpoint store in memory.
type memStore struct {
	mu sync.Mutex
	s  checkpoint.State
}

func (m *memStore) Load() (checkpoint.State, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.s, nil
}
func (m *memStore) Save(s checkpoint.State) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.s = s
	return nil
}

// harness runs a loop on a fake clock.
type harness struct {
	t      *testing.T
	clock  *clock.Fake
	trig   *fakeTrigger
	rec    *recorder
	cancel context.CancelFunc
	done   chan struct{}
}

func every(t *testing.T, d time.Duration) schedule.Slots {
	s, err := schedule.FixedRate(d)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func start(t *testing.T, cfg Config, now time.Time, opts ...Option) *harness {
	t.Helper()
	h := &harness{t: t, clock: clock.NewFake(now), trig: newFakeTrigger(), rec: newRecorder(), done: make(chan struct{})}
	if cfg.Policy == "" {
		cfg.Policy = Forbid
	}
	if cfg.Missed == "" {
		cfg.Missed = Skip
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = time.Hour
	}
	l, err := New(cfg, h.trig, append([]Option{WithClock(h.clock), WithObserver(h.rec)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	h.cancel = cancel
	go func() { l.Run(ctx); close(h.done) }()
	t.Cleanup(func() {
		cancel()
		for {
			select {
			case <-h.done:
				return
			case r := <-h.trig.starts:
				r.succeed()
			case <-time.After(generous):
				t.Error("loop did not stop")
				return
			}
		}
	})
	return h
}

// step waits until the loop sleeps until t, then moves the clock there.
func (h *harness) step(t time.Time) {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), generous)
	defer cancel()
	if err := h.clock.AwaitWaiter(ctx, func(w time.Time) bool { return w.Equal(t) }); err != nil {
		h.t.Fatalf("nothing waits for %v (waiting: %v)", t, h.clock.Waiting())
	}
	h.clock.Set(t)
}

// started returns the next attempt started, and checks its slot and number.
func (h *harness) started(slot time.Time, attempt int) *fakeRun {
	h.t.Helper()
	select {
	case r := <-h.trig.starts:
		if !r.a.Slot.Equal(slot) || r.a.Number != attempt {
			h.t.Fatalf("started slot %v attempt %d, want slot %v attempt %d", r.a.Slot, r.a.Number, slot, attempt)
		}
		return r
	case <-time.After(generous):
		h.t.Fatalf("no attempt started for slot %v", slot)
		return nil
	}
}

// ended returns the next record, and checks its slot, attempt and result.
func (h *harness) ended(slot time.Time, attempt int, kind result.Kind) result.Record {
	h.t.Helper()
	select {
	case rec := <-h.rec.ended:
		if !rec.Slot.Equal(slot) || rec.Attempt != attempt || rec.Kind != kind {
			h.t.Fatalf("record slot %v attempt %d %s (%s), want slot %v attempt %d %s",
				rec.Slot, rec.Attempt, rec.Kind, rec.Detail, slot, attempt, kind)
		}
		return rec
	case <-time.After(generous):
		h.t.Fatalf("no record for slot %v", slot)
		return result.Record{}
	}
}

// quiet checks that nothing started and nothing was reported.
func (h *harness) quiet() {
	h.t.Helper()
	select {
	case r := <-h.trig.starts:
		h.t.Fatalf("unexpected start: slot %v attempt %d", r.a.Slot, r.a.Number)
	case rec := <-h.rec.ended:
		h.t.Fatalf("unexpected record: %+v", rec)
	case <-time.After(20 * time.Millisecond):
	}
}
