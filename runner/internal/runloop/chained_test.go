package runloop

import (
	"testing"
	"time"

	"periodic.dev/runner/internal/checkpoint"
	"periodic.dev/runner/internal/result"
	"periodic.dev/runner/internal/schedule"
)

func TestChainedFixedDelay(t *testing.T) {
	d := fixedDelay(t, time.Second)
	h := start(t, Config{Slots: d, Chained: true, FirstDelay: 250 * time.Millisecond}, t0)
	h.step(at(250 * time.Millisecond))
	r := h.started(at(250*time.Millisecond), 1)
	h.clock.Set(at(700 * time.Millisecond)) // the run takes 450ms
	r.succeed()
	h.ended(at(250*time.Millisecond), 1, result.Success)
	h.step(at(1700 * time.Millisecond)) // one interval after the end
	h.started(at(1700*time.Millisecond), 1).succeed()
	h.ended(at(1700*time.Millisecond), 1, result.Success)
}

func TestChainedStartsNoEarlierThanTheCheckpointAllows(t *testing.T) {
	store := &memStore{s: checkpoint.State{LastSlot: at(-200 * time.Millisecond)}}
	h := start(t, Config{Slots: fixedDelay(t, time.Second), Chained: true}, t0, WithStore(store))
	h.step(at(800 * time.Millisecond))
	h.started(at(800*time.Millisecond), 1).succeed()
	h.ended(at(800*time.Millisecond), 1, result.Success)
}

func TestChainedStandbyWaitsForTheHold(t *testing.T) {
	g := newFakeGuard()
	h := start(t, Config{Slots: fixedDelay(t, time.Second), Chained: true}, t0, WithGuard(g))
	h.quiet()
	h.clock.Set(at(5 * time.Second))
	g.set(true)
	h.started(at(5*time.Second), 1).succeed()
	h.ended(at(5*time.Second), 1, result.Success)
}

func fixedDelay(t *testing.T, d time.Duration) schedule.Slots {
	s, err := schedule.FixedDelay(d)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
