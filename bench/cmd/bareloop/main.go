// Command bareloop is the baseline: the loop one writes by hand around a Go time.Ticker —
// sleep until the first epoch-aligned slot, then a ticker of the period, and at every tick
// exec.Command(...).Start() the command with PERIODIC_SLOT set, waiting for it in a
// goroutine. It logs one JSON line per run on stderr, shaped like the ticker's run log:
// {"msg":"run","slot","attempt","result","lateness"}, lateness in seconds from the ideal
// slot (the nearest instant k × period + offset; negative when early) to just before
// Start, i.e. just before fork.
//
//	bareloop -period 100ms [-offset 50ms] -- CMD [ARGS...]
//
// SIGTERM/SIGINT: stop ticking, wait for the runs in flight, exit 0.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"sync"
	"syscall"
	"time"

	"periodic.dev/bench/internal/slots"
)

func main() {
	period := flag.Duration("period", time.Second, "time between slots")
	offset := flag.Duration("offset", 0, "slots are at k × period + offset after the Unix epoch")
	flag.Parse()
	if *period <= 0 || flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: bareloop -period D [-offset D] -- CMD [ARGS...]")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	grid := slots.Grid{Period: *period, Offset: *offset}
	var wg sync.WaitGroup
	defer wg.Wait()

	first := grid.Next(time.Now())
	select {
	case <-time.After(time.Until(first)):
	case <-ctx.Done():
		return
	}
	tick := time.NewTicker(*period)
	defer tick.Stop()
	for {
		fire(&wg, grid, flag.Args())
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// fire starts one run for the slot nearest to now.
func fire(wg *sync.WaitGroup, grid slots.Grid, argv []string) {
	slot := grid.Nearest(time.Now())
	s := slot.UTC().Format(time.RFC3339Nano)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), "PERIODIC_SLOT="+s)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	launched := time.Now()
	if err := cmd.Start(); err != nil {
		logRun(s, "failure", launched.Sub(slot), err.Error())
		return
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		result, detail := "success", ""
		if err := cmd.Wait(); err != nil {
			result, detail = "failure", err.Error()
		}
		logRun(s, result, launched.Sub(slot), detail)
	}()
}

func logRun(slot, result string, lateness time.Duration, detail string) {
	line := `{"msg":"run","slot":"` + slot + `","attempt":1,"result":"` + result +
		`","lateness":` + strconv.FormatFloat(lateness.Seconds(), 'f', 9, 64)
	if detail != "" {
		line += `,"detail":` + strconv.Quote(detail)
	}
	os.Stderr.WriteString(line + "}\n")
}
