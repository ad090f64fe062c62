// Package trigger starts one run of the task: a command in its own process group (Exec)
// or a POST to the application (HTTP), handing each the same data (data.go).
package trigger

import (
	"context"
	"time"
)

// Attempt is what one run is for.
type Attempt struct {
	Slot     time.Time // the slot's instant
	Number   int       // 1 for the first attempt of the slot, 2 for the first retry, …
	Deadline time.Time // when the attempt's --timeout ends it
}

// Outcome is how a started run ended.
type Outcome struct {
	// Stopped: the run was ended because its context was done (deadline, replaced, lease
	// lost); context.Cause of that context says why.
	Stopped bool
	// Err is nil for a success, else what went wrong ("exit status 3").
	Err error
	// Code is the exit code (128+signal when killed by one) or the HTTP status; 0 if none.
	Code int
}

// Execution is a started run.
type Execution interface {
	// Wait blocks until the run has ended: the process group is empty, or the answer read.
	Wait() Outcome
}

// Trigger starts runs. Start returns as soon as the run is under way; when ctx is done the
// run is stopped (Exec: SIGTERM to its group, SIGKILL after the kill grace).
type Trigger interface {
	Start(ctx context.Context, a Attempt) (Execution, error)
}

// Option configures a Trigger.
type Option func(*settings)

type settings struct {
	task, stateDir string
	killGrace      time.Duration
	environ        []string
}

// WithTask sets PERIODIC_TASK (namespace/name); unset when empty.
func WithTask(task string) Option { return func(s *settings) { s.task = task } }

// WithStateDir sets PERIODIC_STATE_DIR; unset when empty.
func WithStateDir(dir string) Option { return func(s *settings) { s.stateDir = dir } }

// WithKillGrace sets how long an Exec run has between SIGTERM and SIGKILL (default 5s).
func WithKillGrace(d time.Duration) Option { return func(s *settings) { s.killGrace = d } }

// WithEnviron sets the environment Exec runs inherit (default os.Environ() at NewExec).
func WithEnviron(env []string) Option { return func(s *settings) { s.environ = env } }

func newSettings(opts []Option) settings {
	s := settings{killGrace: 5 * time.Second}
	for _, o := range opts {
		o(&s)
	}
	return s
}
