package clock

import (
	"context"
	"testing"
	"time"
)

var t0 = time.Date(2024, 7, 1, 0, 0, 0, 0, time.UTC)

func TestFakeWaitUntilWakesWhenSet(t *testing.T) {
	f := NewFake(t0)
	done := make(chan time.Time)
	go func() {
		if err := f.WaitUntil(context.Background(), t0.Add(time.Second)); err != nil {
			t.Error(err)
		}
		done <- f.Now()
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := f.AwaitWaiter(ctx, func(at time.Time) bool { return at.Equal(t0.Add(time.Second)) }); err != nil {
		t.Fatal(err)
	}
	f.Advance(999 * time.Millisecond)
	select {
	case <-done:
		t.Fatal("woke before its instant")
	default:
	}
	f.Advance(time.Millisecond)
	if got := <-done; !got.Equal(t0.Add(time.Second)) {
		t.Fatalf("woke at %v", got)
	}
}

func TestFakeWaitUntilPastReturnsAtOnce(t *testing.T) {
	f := NewFake(t0)
	if err := f.WaitUntil(context.Background(), t0); err != nil {
		t.Fatal(err)
	}
	if n := len(f.Waiting()); n != 0 {
		t.Fatalf("%d waiters left", n)
	}
}

func TestFakeWaitUntilCancelRemovesWaiter(t *testing.T) {
	f := NewFake(t0)
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error)
	go func() { errc <- f.WaitUntil(ctx, t0.Add(time.Hour)) }()
	if err := f.AwaitWaiter(context.Background(), func(time.Time) bool { return true }); err != nil {
		t.Fatal(err)
	}
	cancel()
	if err := <-errc; err != context.Canceled {
		t.Fatalf("err = %v", err)
	}
	if n := len(f.Waiting()); n != 0 {
		t.Fatalf("%d waiters left", n)
	}
}

func TestFakeAfterFuncFiresInOrderAndStops(t *testing.T) {
	f := NewFake(t0)
	fired := make(chan int, 3)
	f.AfterFunc(2*time.Second, func() { fired <- 2 })
	stop := f.AfterFunc(3*time.Second, func() { fired <- 3 })
	f.AfterFunc(time.Second, func() { fired <- 1 })
	if !stop() {
		t.Fatal("stop() = false for a pending function")
	}
	f.Advance(time.Hour)
	got := map[int]bool{<-fired: true, <-fired: true}
	if !got[1] || !got[2] {
		t.Fatalf("fired %v, want 1 and 2", got)
	}
	select {
	case n := <-fired:
		t.Fatalf("stopped function %d ran", n)
	case <-time.After(50 * time.Millisecond):
	}
}

func TestFakeSetNeverGoesBack(t *testing.T) {
	f := NewFake(t0)
	f.Set(t0.Add(-time.Hour))
	if !f.Now().Equal(t0) {
		t.Fatalf("Now() = %v", f.Now())
	}
}
