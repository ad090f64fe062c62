// Command ticker runs a task at its slots — an interval or a cron schedule — with a deadline
// per attempt, retries, a concurrency policy, catch-up after downtime and, with --lease, a
// Kubernetes Lease as singleton lock and checkpoint. See runner/README.md.
//
// Exit codes: 0 after SIGTERM/SIGINT was handled, 1 on a failure at start (port taken,
// install failed), 2 on bad flags or a command that cannot be found, 3 when the API cannot
// be reached for the Lease at start.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	_ "time/tzdata" // --time-zone works in a scratch image without /usr/share/zoneinfo

	"periodic.dev/runner/internal/clock"
	"periodic.dev/runner/internal/config"
	"periodic.dev/runner/internal/install"
)

func main() {
	tuneMemory(os.Getenv)
	os.Exit(realMain(os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}

// realMain is main with its surroundings passed in; it returns the exit code.
func realMain(args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "install" {
		return installMain(args[1:], stdout, stderr)
	}
	cfg, err := config.Parse(args, getenv)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(stdout, config.Usage())
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "ticker: %v (see ticker -h)\n", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	// After the first signal a second one has its default effect: ending the runner at once.
	context.AfterFunc(ctx, stop)
	err = run(ctx, cfg, deps{clock: clock.Real{}, stderr: stderr, getenv: getenv})
	if err != nil {
		fmt.Fprintf(stderr, "ticker: %v\n", err)
		var ee *exitError
		if errors.As(err, &ee) {
			return ee.code
		}
		return 1
	}
	return 0
}

func installMain(args []string, stdout, stderr io.Writer) int {
	if len(args) != 1 || args[0] == "" || args[0][0] == '-' {
		fmt.Fprintln(stderr, "ticker: usage: ticker install DIR")
		return 2
	}
	self, err := os.Executable()
	if err != nil {
		fmt.Fprintf(stderr, "ticker: install: %v\n", err)
		return 1
	}
	dst, err := install.Copy(self, args[0])
	if err != nil {
		fmt.Fprintf(stderr, "ticker: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "installed %s\n", dst)
	return 0
}

// exitError carries an exit code other than 1.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }
