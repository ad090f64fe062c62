// Package proc starts a command as the leader of a process group of its own and ends the
// whole group — the command and everything it forked — with SIGTERM, then SIGKILL.
package proc

import (
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"
)

// Group is a started command and its process group (pgid = the command's pid).
type Group struct {
	pgid   int
	exited chan struct{} // closed once the leader has been reaped
	status syscall.WaitStatus
}

// Start runs the executable at path (already looked up) with argv and env in a new process
// group. stdin is /dev/null (stdinFD), stdout and stderr are the runner's own: the command
// writes straight to them, with no copying goroutine in between.
func Start(path string, argv, env []string, stdinFD uintptr) (*Group, error) {
	live.Lock()
	pid, err := syscall.ForkExec(path, argv, &syscall.ProcAttr{
		Env:   env,
		Files: []uintptr{stdinFD, 1, 2},
		Sys:   &syscall.SysProcAttr{Setpgid: true},
	})
	if err == nil {
		live.pgids[pid] = struct{}{}
	}
	live.Unlock()
	if err != nil {
		return nil, fmt.Errorf("start %s: %w", path, err)
	}
	g := &Group{pgid: pid, exited: make(chan struct{})}
	go g.reap()
	return g, nil
}

// reap waits for the group's members that are our children. Besides the leader those are
// members orphaned to us when the runner is PID 1 in its container.
func (g *Group) reap() {
	for {
		var ws syscall.WaitStatus
		pid, err := syscall.Wait4(-g.pgid, &ws, 0, nil)
		if errors.Is(err, syscall.EINTR) {
			continue
		}
		if err != nil || pid == g.pgid { // err (ECHILD) cannot come before the leader's exit
			g.status = ws
			close(g.exited)
			return
		}
	}
}

// Pid is the leader's pid, which is also the group id.
func (g *Group) Pid() int { return g.pgid }

// Exited is closed when the leader has exited.
func (g *Group) Exited() <-chan struct{} { return g.exited }

// Status is the leader's wait status; valid once Exited is closed.
func (g *Group) Status() syscall.WaitStatus { return g.status }

// Empty reports whether no process of the group is left (zombies orphaned to us are reaped).
func (g *Group) Empty() bool {
	select {
	case <-g.exited:
	default:
		return false
	}
	for {
		var ws syscall.WaitStatus
		if pid, _ := syscall.Wait4(-g.pgid, &ws, syscall.WNOHANG, nil); pid <= 0 {
			break
		}
	}
	if !errors.Is(syscall.Kill(-g.pgid, 0), syscall.ESRCH) {
		return false
	}
	forget(g.pgid)
	return true
}

// pollEvery is how often Stop looks whether members other than the leader are gone; the
// kernel tells nothing about processes that are not our children. Only Stop polls.
const pollEvery = 5 * time.Millisecond

// Stop ends the group: SIGTERM to every member, SIGKILL to what is left after grace, and
// returns once the group is empty. It returns an error when the group outlives even
// SIGKILL by grace (a process stuck in the kernel).
func (g *Group) Stop(grace time.Duration) error {
	if g.Empty() {
		return nil
	}
	g.signal(syscall.SIGTERM)
	if g.waitEmpty(grace) {
		return nil
	}
	g.signal(syscall.SIGKILL)
	if g.waitEmpty(grace + time.Second) {
		return nil
	}
	return fmt.Errorf("process group %d: still there %v after SIGKILL", g.pgid, grace+time.Second)
}

func (g *Group) signal(sig syscall.Signal) {
	// ESRCH: gone meanwhile. The pgid cannot be reused while a member is left.
	_ = syscall.Kill(-g.pgid, sig)
}

func (g *Group) waitEmpty(within time.Duration) bool {
	deadline := time.NewTimer(within)
	defer deadline.Stop()
	tick := time.NewTicker(pollEvery)
	defer tick.Stop()
	exited := g.exited
	for !g.Empty() {
		select {
		case <-exited:
			exited = nil // closed: look once, then go on polling
		case <-tick.C:
		case <-deadline.C:
			return g.Empty()
		}
	}
	return true
}

// DevNull opens /dev/null for the commands' stdin; the caller closes it.
func DevNull() (*os.File, error) {
	f, err := os.Open(os.DevNull)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", os.DevNull, err)
	}
	return f, nil
}
