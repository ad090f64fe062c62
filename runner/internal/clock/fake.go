package clock

import (
	"context"
	"slices"
	"sync"
	"time"
)

// Fake is a Clock that moves only when told to (Set, Advance). Waiters whose instant has
// come are woken in chronological order; functions from AfterFunc run in goroutines.
type Fake struct {
	mu      sync.Mutex
	now     time.Time
	waiters []*fakeWaiter
	changed chan struct{} // closed and replaced whenever a waiter is added
}

type fakeWaiter struct {
	at   time.Time
	fire func()
}

// NewFake returns a fake clock that reads start.
func NewFake(start time.Time) *Fake {
	return &Fake{now: start, changed: make(chan struct{})}
}

// Now returns the fake time.
func (f *Fake) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

// WaitUntil blocks until the fake time reaches t or ctx is done.
func (f *Fake) WaitUntil(ctx context.Context, t time.Time) error {
	ch := make(chan struct{})
	w := f.add(t, func() { close(ch) })
	if w == nil {
		return nil
	}
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		f.remove(w)
		return ctx.Err()
	}
}

// AfterFunc calls fn in a goroutine once the fake time has advanced by d.
func (f *Fake) AfterFunc(d time.Duration, fn func()) func() bool {
	w := f.add(f.Now().Add(d), func() { go fn() })
	if w == nil {
		return func() bool { return false }
	}
	return func() bool { return f.remove(w) }
}

// add registers a waiter, or fires it at once (returning nil) when t has come.
func (f *Fake) add(t time.Time, fire func()) *fakeWaiter {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !t.After(f.now) {
		fire()
		return nil
	}
	w := &fakeWaiter{at: t, fire: fire}
	f.waiters = append(f.waiters, w)
	close(f.changed)
	f.changed = make(chan struct{})
	return w
}

func (f *Fake) remove(w *fakeWaiter) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	i := slices.Index(f.waiters, w)
	if i < 0 {
		return false
	}
	f.waiters = slices.Delete(f.waiters, i, i+1)
	return true
}

// Advance moves the fake time forward by d.
func (f *Fake) Advance(d time.Duration) { f.Set(f.Now().Add(d)) }

// Set moves the fake time to t (never backwards) and wakes every waiter whose instant
// is not after t, earliest first.
func (f *Fake) Set(t time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if t.Before(f.now) {
		return
	}
	f.now = t
	var due []*fakeWaiter
	f.waiters = slices.DeleteFunc(f.waiters, func(w *fakeWaiter) bool {
		if w.at.After(t) {
			return false
		}
		due = append(due, w)
		return true
	})
	slices.SortStableFunc(due, func(a, b *fakeWaiter) int { return a.at.Compare(b.at) })
	for _, w := range due {
		w.fire()
	}
}

// Waiting returns the instants that waiters (WaitUntil and AfterFunc) are waiting for.
func (f *Fake) Waiting() []time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]time.Time, len(f.waiters))
	for i, w := range f.waiters {
		out[i] = w.at
	}
	return out
}

// AwaitWaiter blocks until some waiter waits for an instant for which match is true, or
// ctx is done. Tests use it to know that the code under test has gone to sleep.
func (f *Fake) AwaitWaiter(ctx context.Context, match func(time.Time) bool) error {
	for {
		f.mu.Lock()
		changed := f.changed
		found := slices.ContainsFunc(f.waiters, func(w *fakeWaiter) bool { return match(w.at) })
		f.mu.Unlock()
		if found {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}
