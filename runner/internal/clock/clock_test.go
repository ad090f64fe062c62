package clock

import (
	"context"
	"testing"
	"time"
)

func TestRealWaitUntilReturnsNotBeforeTarget(t *testing.T) {
	c := Real{}
	for _, d := range []time.Duration{-time.Second, 0, 500 * time.Microsecond, 3 * time.Millisecond, 20 * time.Millisecond} {
		target := time.Now().Add(d)
		if err := c.WaitUntil(context.Background(), target); err != nil {
			t.Fatalf("WaitUntil(+%v): %v", d, err)
		}
		if now := time.Now(); now.Before(target) {
			t.Errorf("WaitUntil(+%v) returned %v before its target", d, target.Sub(now))
		}
	}
}

func TestRealWaitUntilCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := (Real{}).WaitUntil(ctx, time.Now().Add(time.Hour)); err != context.Canceled {
		t.Fatalf("WaitUntil on a cancelled context = %v, want context.Canceled", err)
	}
}

func TestRealAfterFuncStops(t *testing.T) {
	stop := (Real{}).AfterFunc(time.Hour, func() { t.Error("stopped function ran") })
	if !stop() {
		t.Fatal("stop() = false for a pending function")
	}
}
