package proc

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"periodic.dev/runner/internal/waitfor"
)

// generous bounds how long a test waits for something that should take milliseconds; it
// is a hang guard, never a speed assertion.
const generous = 30 * time.Second

func startSh(t *testing.T, script string) *Group {
	t.Helper()
	sh, err := filepathLook("sh")
	if err != nil {
		t.Fatal(err)
	}
	null, err := DevNull()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { null.Close() })
	g, err := Start(sh, []string{"sh", "-c", script}, os.Environ(), null.Fd())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = g.Stop(100 * time.Millisecond) })
	return g
}

func filepathLook(name string) (string, error) {
	for _, dir := range filepath.SplitList(os.Getenv("PATH")) {
		p := filepath.Join(dir, name)
		if st, err := os.Stat(p); err == nil && st.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", errors.New(name + " not found in PATH")
}

func waitExited(t *testing.T, g *Group) syscall.WaitStatus {
	t.Helper()
	select {
	case <-g.Exited():
		return g.Status()
	case <-time.After(generous):
		t.Fatal("the leader did not exit")
		return 0
	}
}

func alive(pid int) bool { return !errors.Is(syscall.Kill(pid, 0), syscall.ESRCH) }

func TestExitStatuses(t *testing.T) {
	tests := []struct {
		name, script string
		check        func(syscall.WaitStatus) bool
	}{
		{"success", "exit 0", func(ws syscall.WaitStatus) bool { return ws.Exited() && ws.ExitStatus() == 0 }},
		{"non-zero exit", "exit 3", func(ws syscall.WaitStatus) bool { return ws.Exited() && ws.ExitStatus() == 3 }},
		{"crash", "kill -SEGV $$", func(ws syscall.WaitStatus) bool { return ws.Signaled() && ws.Signal() == syscall.SIGSEGV }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := startSh(t, tt.script)
			if ws := waitExited(t, g); !tt.check(ws) {
				t.Fatalf("wait status %v", ws)
			}
			if err := g.Stop(time.Second); err != nil {
				t.Fatal(err)
			}
			if !g.Empty() {
				t.Fatal("group not empty")
			}
		})
	}
}

func TestOwnProcessGroup(t *testing.T) {
	g := startSh(t, "sleep 60")
	pgid, err := syscall.Getpgid(g.Pid())
	if err != nil {
		t.Fatal(err)
	}
	if pgid != g.Pid() || pgid == syscall.Getpgrp() {
		t.Fatalf("pgid %d, leader %d, ours %d", pgid, g.Pid(), syscall.Getpgrp())
	}
}

func TestStopTerminates(t *testing.T) {
	g := startSh(t, "sleep 60")
	if err := g.Stop(generous); err != nil {
		t.Fatal(err)
	}
	if ws := g.Status(); !ws.Signaled() || ws.Signal() != syscall.SIGTERM {
		t.Fatalf("wait status %v, want killed by SIGTERM", ws)
	}
}

func TestStopKillsWhatTrapsTerm(t *testing.T) {
	g := startSh(t, `trap "" TERM; while :; do sleep 0.05; done`)
	time.Sleep(50 * time.Millisecond) // let the shell install its trap (not a speed assertion)
	if err := g.Stop(200 * time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if ws := g.Status(); !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("wait status %v, want killed by SIGKILL", ws)
	}
}

func TestStopKillsGrandchildren(t *testing.T) {
	tests := []struct{ name, script string }{
		{"grandchild dies with TERM", `sleep 60 & echo $! > "$PIDFILE"; wait`},
		{"grandchild ignores TERM", `(trap "" TERM; exec sleep 60) & echo $! > "$PIDFILE"; wait`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pidfile := filepath.Join(t.TempDir(), "pid")
			g := startSh(t, "PIDFILE="+pidfile+"; "+tt.script)
			grandchild := waitfor.Pid(t, pidfile)
			if !alive(grandchild) {
				t.Fatalf("grandchild %d not running", grandchild)
			}
			if err := g.Stop(200 * time.Millisecond); err != nil {
				t.Fatal(err)
			}
			if alive(grandchild) {
				t.Fatalf("grandchild %d survived Stop", grandchild)
			}
		})
	}
}

func TestLeftoversAfterLeaderExit(t *testing.T) {
	pidfile := filepath.Join(t.TempDir(), "pid")
	g := startSh(t, `sleep 60 & echo $! > "`+pidfile+`"`)
	if ws := waitExited(t, g); ws.ExitStatus() != 0 {
		t.Fatalf("wait status %v", ws)
	}
	grandchild := waitfor.Pid(t, pidfile)
	if g.Empty() {
		t.Fatal("group empty while the background sleep runs")
	}
	if err := g.Stop(time.Second); err != nil {
		t.Fatal(err)
	}
	if alive(grandchild) {
		t.Fatalf("leftover %d survived Stop", grandchild)
	}
}
