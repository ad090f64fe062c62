package main

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// child is a process the benchmark started. Its stdout and stderr are pipes read line by
// line; it runs in a process group of its own, so a Ctrl-C on the terminal reaches only the
// benchmark, which then stops its children in order; and it gets SIGKILL should the
// benchmark die without stopping it.
type child struct {
	name     string
	cmd      *exec.Cmd
	exited   chan struct{} // closed once the process has been waited for
	err      error         // from Wait; valid once exited is closed
	stopping atomic.Bool
	readers  sync.WaitGroup
}

// startChild starts path with args, calling onLine (from two goroutines) for every line of
// its stdout and stderr until both are closed.
func startChild(name, path string, args []string, onLine func(line []byte)) (*child, error) {
	c := &child{name: name, exited: make(chan struct{})}
	c.cmd = exec.Command(path, args...)
	c.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	var writeEnds []*os.File
	for range 2 { // stdout, stderr
		r, w, err := os.Pipe()
		if err != nil {
			closeAll(writeEnds)
			return nil, fmt.Errorf("%s: pipe: %w", name, err)
		}
		writeEnds = append(writeEnds, w)
		c.readers.Add(1)
		go c.read(r, onLine)
	}
	// *os.File outputs go straight to the process: no copying goroutine in exec.
	c.cmd.Stdout, c.cmd.Stderr = writeEnds[0], writeEnds[1]
	err := c.cmd.Start()
	closeAll(writeEnds) // the child has its own copies; EOF comes when every writer is gone
	if err != nil {
		c.readers.Wait()
		return nil, fmt.Errorf("%s: start %s: %w", name, path, err)
	}
	go func() {
		c.err = c.cmd.Wait()
		close(c.exited)
	}()
	return c, nil
}

func (c *child) read(r *os.File, onLine func([]byte)) {
	defer c.readers.Done()
	defer r.Close()
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		onLine(sc.Bytes())
	}
}

func closeAll(files []*os.File) {
	for _, f := range files {
		f.Close()
	}
}

// Pid is the process id.
func (c *child) Pid() int { return c.cmd.Process.Pid }

// diedEarly returns an error when the process has exited without being told to stop.
func (c *child) diedEarly() error {
	select {
	case <-c.exited:
		if !c.stopping.Load() {
			return fmt.Errorf("%s exited before it was stopped: %v", c.name, c.err)
		}
	default:
	}
	return nil
}

// stop sends sig and waits up to grace for the exit, then SIGKILL; it returns once the
// process has exited and its output has been read. It reports an exit that was not the
// answer to sig (a graceful exit 0, or death by sig itself).
func (c *child) stop(sig syscall.Signal, grace time.Duration) error {
	c.stopping.Store(true)
	_ = c.cmd.Process.Signal(sig) // an error: already exited, as Wait will tell
	timer := time.NewTimer(grace)
	defer timer.Stop()
	killed := false
	select {
	case <-c.exited:
	case <-timer.C:
		_ = c.cmd.Process.Kill()
		killed = true
		<-c.exited
	}
	c.readers.Wait()
	if killed {
		return fmt.Errorf("%s: still running %v after %v; killed", c.name, grace, sig)
	}
	var ee *exec.ExitError
	if errors.As(c.err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() && ws.Signal() == sig {
			return nil
		}
		return fmt.Errorf("%s: %w", c.name, c.err)
	}
	return c.err
}

// cpu is the CPU time the process and the children it waited for used; valid after stop.
func (c *child) cpu() time.Duration {
	if c.cmd.ProcessState == nil {
		return 0
	}
	return c.cmd.ProcessState.UserTime() + c.cmd.ProcessState.SystemTime()
}
