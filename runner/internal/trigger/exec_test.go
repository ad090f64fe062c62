package trigger

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"periodic.dev/runner/internal/waitfor"
)

func newExec(t *testing.T, script string, opts ...Option) *Exec {
	t.Helper()
	e, err := NewExec([]string{"sh", "-c", script}, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

func start(t *testing.T, e *Exec, ctx context.Context, a Attempt) Execution {
	t.Helper()
	x, err := e.Start(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	return x
}

func TestExecPassesRunData(t *testing.T) {
	out := filepath.Join(t.TempDir(), "env")
	e := newExec(t, `env | grep '^PERIODIC_' | sort > "$OUT"; read line; echo "stdin:$line" >> "$OUT"`,
		WithTask("ns/demo"), WithStateDir("/state"), WithEnviron(append(os.Environ(), "OUT="+out)))
	o := waitOutcome(t, start(t, e, context.Background(), Attempt{Slot: slot, Number: 1}))
	if o.Err != nil || o.Stopped || o.Code != 0 {
		t.Fatalf("outcome %+v", o)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	want := "PERIODIC_ATTEMPT=1\nPERIODIC_SLOT=2024-07-01T12:00:00.25Z\nPERIODIC_STATE_DIR=/state\nPERIODIC_TASK=ns/demo\nstdin:\n"
	if string(b) != want {
		t.Fatalf("the run saw\n%s\nwant\n%s", b, want)
	}
}

func TestExecOutcomes(t *testing.T) {
	tests := []struct {
		name, script string
		code         int
		errText      string
	}{
		{"success", "exit 0", 0, ""},
		{"non-zero exit", "exit 7", 7, "exit status 7"},
		{"crash", "kill -SEGV $$", 128 + int(syscall.SIGSEGV), "killed by signal 11"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := waitOutcome(t, start(t, newExec(t, tt.script), context.Background(), Attempt{Slot: slot, Number: 1}))
			if o.Stopped || o.Code != tt.code {
				t.Fatalf("outcome %+v, want code %d", o, tt.code)
			}
			if (tt.errText == "") != (o.Err == nil) || (o.Err != nil && !strings.Contains(o.Err.Error(), tt.errText)) {
				t.Fatalf("err %v, want %q", o.Err, tt.errText)
			}
		})
	}
}

func TestExecCommandNotFound(t *testing.T) {
	if _, err := NewExec([]string{"no-such-command-for-the-ticker"}); err == nil {
		t.Fatal("NewExec accepted a missing command")
	}
	if _, err := NewExec(nil); err == nil {
		t.Fatal("NewExec accepted no command")
	}
}

// TestExecStopEndsTheWholeGroup: a command that traps SIGTERM and forks a grandchild that
// ignores it too; stopping the run must SIGKILL both after the grace.
func TestExecStopEndsTheWholeGroup(t *testing.T) {
	pidfile := filepath.Join(t.TempDir(), "pid")
	e := newExec(t, `trap "" TERM; (exec sleep 60) & echo $! > "`+pidfile+`"; while :; do sleep 0.05; done`,
		WithKillGrace(200*time.Millisecond))
	ctx, cancel := context.WithCancel(context.Background())
	x := start(t, e, ctx, Attempt{Slot: slot, Number: 1})
	grandchild := waitfor.Pid(t, pidfile)
	cancel()
	o := waitOutcome(t, x)
	if !o.Stopped || o.Code != 128+int(syscall.SIGKILL) {
		t.Fatalf("outcome %+v, want stopped by SIGKILL", o)
	}
	if !errors.Is(syscall.Kill(grandchild, 0), syscall.ESRCH) {
		t.Fatalf("grandchild %d survived", grandchild)
	}
}

func TestExecStopWithTermEndsGracefully(t *testing.T) {
	e := newExec(t, `trap 'exit 0' TERM; while :; do sleep 0.05; done`, WithKillGrace(generous))
	ctx, cancel := context.WithCancel(context.Background())
	x := start(t, e, ctx, Attempt{Slot: slot, Number: 1})
	time.Sleep(50 * time.Millisecond) // let the trap be installed (not a speed assertion)
	cancel()
	if o := waitOutcome(t, x); !o.Stopped || o.Err != nil || o.Code != 0 {
		t.Fatalf("outcome %+v, want stopped, exit 0 from its TERM trap", o)
	}
}
