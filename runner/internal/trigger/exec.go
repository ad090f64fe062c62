package trigger

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"

	"periodic.dev/runner/internal/proc"
)

// Exec runs a command per attempt, each in a process group of its own.
type Exec struct {
	path      string
	argv      []string
	env       []string // static part
	stdin     *os.File // /dev/null
	killGrace time.Duration
}

// NewExec looks the command up in PATH once, here, so that a start does no more than fork.
// Close releases its /dev/null.
func NewExec(argv []string, opts ...Option) (*Exec, error) {
	if len(argv) == 0 {
		return nil, errors.New("no command")
	}
	path, err := exec.LookPath(argv[0])
	if err != nil {
		return nil, fmt.Errorf("command %q: %w", argv[0], err)
	}
	null, err := proc.DevNull()
	if err != nil {
		return nil, err
	}
	s := newSettings(opts)
	environ := s.environ
	if environ == nil {
		environ = os.Environ()
	}
	return &Exec{path: path, argv: argv, env: staticEnv(environ, s), stdin: null, killGrace: s.killGrace}, nil
}

// Close closes the stdin the commands get.
func (e *Exec) Close() error { return e.stdin.Close() }

// Start forks the command with the run's environment.
func (e *Exec) Start(ctx context.Context, a Attempt) (Execution, error) {
	g, err := proc.Start(e.path, e.argv, runEnv(e.env, a), e.stdin.Fd())
	if err != nil {
		return nil, err
	}
	return &execRun{ctx: ctx, group: g, grace: e.killGrace}, nil
}

// stuckPoll is how often Wait looks again at a group that SIGKILL could not empty.
const stuckPoll = time.Second

type execRun struct {
	ctx   context.Context
	group *proc.Group
	grace time.Duration
}

// Wait waits for the command to exit or for ctx; then it ends the rest of the process
// group (everything when ctx is done, else what the command left behind): a run is over
// only when its whole group is gone, so runs of one slot never overlap the next.
func (r *execRun) Wait() Outcome {
	var o Outcome
	select {
	case <-r.group.Exited():
	case <-r.ctx.Done():
		o.Stopped = true
	}
	stopErr := r.group.Stop(r.grace)
	// A member that outlives even SIGKILL (stuck in the kernel) keeps the run in flight:
	// Forbid then skips the next slots and /healthz turns unhealthy, so the kubelet
	// restarts the container instead of a new run starting beside the stuck one.
	for stopErr != nil && !r.group.Empty() {
		time.Sleep(stuckPoll)
	}
	// Processes earlier runs sent out of their group (setsid) and that have exited since
	// are zombies of the runner (their subreaper, or PID 1): reaped here, once per run.
	proc.ReapStrays()
	ws := r.group.Status()
	switch {
	case ws.Exited():
		o.Code = ws.ExitStatus()
		if o.Code != 0 {
			o.Err = fmt.Errorf("exit status %d", o.Code)
		}
	case ws.Signaled():
		o.Code = 128 + int(ws.Signal())
		o.Err = fmt.Errorf("killed by %v", signalName(ws.Signal()))
	}
	return Outcome{Stopped: o.Stopped, Err: errors.Join(o.Err, stopErr), Code: o.Code}
}

func signalName(s syscall.Signal) string {
	switch s {
	case syscall.SIGTERM:
		return "SIGTERM"
	case syscall.SIGKILL:
		return "SIGKILL"
	}
	return fmt.Sprintf("signal %d (%v)", int(s), s)
}
