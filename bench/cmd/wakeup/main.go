// Command wakeup measures how late a sleeper wakes at an epoch-aligned instant, without any
// fork: the timer accuracy under the ticker's launch lateness. Every period it waits three
// ways, each at its own offset into the period (so they never share an instant with each
// other, the ticker at 0 or the bare loop at ½):
//
//	hybrid         at ¼ period: a Go timer until 2 ms before, then
//	               clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME) at the default 50 µs
//	               timer slack (the ticker's technique until it set the slack)
//	hybrid-slack1  at ⅜ period: the same, with the sleeping thread's timer slack at 1 ns
//	               (prctl PR_SET_TIMERSLACK): the ticker's own technique
//	               (runner/internal/clock.Real, copied here since internal packages
//	               cannot be imported)
//	gotimer        at ¾ period: a plain Go timer to the instant, as a while-sleep loop does
//
// One JSON line per wake-up on stdout: {"msg":"wake","method","slot","lateness"} (seconds).
// SIGTERM/SIGINT ends it (exit 0).
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"periodic.dev/bench/internal/slots"
)

// method is one way of waiting for an instant, at its offset into the period.
type method struct {
	name   string
	offset float64 // fraction of the period
	wait   func(ctx context.Context, t time.Time) error
}

func main() {
	period := flag.Duration("period", time.Second, "time between the wake-ups of each method")
	flag.Parse()
	if *period <= 4*coarseMargin {
		fmt.Fprintf(os.Stderr, "wakeup: -period %v: must be more than %v\n", *period, 4*coarseMargin)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	methods := []method{
		{"hybrid", 0.25, func(ctx context.Context, t time.Time) error { return hybridWait(ctx, t, false) }},
		{"hybrid-slack1", 0.375, func(ctx context.Context, t time.Time) error { return hybridWait(ctx, t, true) }},
		{"gotimer", 0.75, goTimerWait},
	}
	for {
		for _, m := range methods {
			grid := slots.Grid{Period: *period, Offset: time.Duration(m.offset * float64(*period))}
			t := grid.Next(time.Now())
			if m.wait(ctx, t) != nil {
				return
			}
			late := time.Since(t)
			os.Stdout.WriteString(`{"msg":"wake","method":"` + m.name + `","slot":"` + t.Format(time.RFC3339Nano) +
				`","lateness":` + strconv.FormatFloat(late.Seconds(), 'f', 9, 64) + "}\n")
		}
	}
}

// goTimerWait sleeps on a Go timer until t.
func goTimerWait(ctx context.Context, t time.Time) error {
	timer := time.NewTimer(time.Until(t))
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}

// coarseMargin is the ticker's: how early its Go timer fires before the instant.
const coarseMargin = 2 * time.Millisecond

// hybridWait is runner/internal/clock.Real.WaitUntil: a Go timer until coarseMargin
// before t, then an absolute system sleep; with slack1 the sleeping thread's timer slack
// is 1 ns for that sleep.
func hybridWait(ctx context.Context, t time.Time, slack1 bool) error {
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		d := time.Until(t)
		if d <= 0 {
			return nil
		}
		if d <= coarseMargin {
			if slack1 {
				sleepUntilSlack1(t)
			} else {
				sleepUntil(t)
			}
			return nil
		}
		if err := goTimerWait(ctx, t.Add(-coarseMargin)); err != nil {
			return err
		}
	}
}
