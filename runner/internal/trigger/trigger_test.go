package trigger

import (
	"fmt"
	"os"
	"testing"
	"time"

	"periodic.dev/runner/internal/proc"
)

// generous bounds a wait for something that takes milliseconds: a hang guard only.
const generous = 30 * time.Second

var slot = time.Date(2024, 7, 1, 12, 0, 0, 250_000_000, time.UTC)

func TestMain(m *testing.M) {
	if err := proc.BecomeSubreaper(); err != nil { // as cmd/ticker does
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(m.Run())
}

func waitOutcome(t *testing.T, e Execution) Outcome {
	t.Helper()
	done := make(chan Outcome, 1)
	go func() { done <- e.Wait() }()
	select {
	case o := <-done:
		return o
	case <-time.After(generous):
		t.Fatal("run did not end")
		return Outcome{}
	}
}

func TestSettingsDefaults(t *testing.T) {
	s := newSettings(nil)
	if s.killGrace != 5*time.Second || s.task != "" || s.stateDir != "" || s.environ != nil {
		t.Fatalf("defaults %+v", s)
	}
	s = newSettings([]Option{WithTask("ns/a"), WithStateDir("/s"), WithKillGrace(time.Second), WithEnviron([]string{})})
	if s.killGrace != time.Second || s.task != "ns/a" || s.stateDir != "/s" || s.environ == nil {
		t.Fatalf("options not applied: %+v", s)
	}
}
