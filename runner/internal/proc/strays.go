package proc

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"unsafe"

	"periodic.dev/runner/internal/procstat"
)

// live holds the process groups started here that have not been found empty. A child of
// the runner in none of them is a stray: a process that left its run's group (setsid,
// setpgid) and was orphaned to the runner, the subreaper — nobody else will reap it.
// Start holds the lock across the fork, so a group's leader is in live before it can exit.
var live = struct {
	sync.Mutex
	pgids map[int]struct{}
}{pgids: map[int]struct{}{}}

func forget(pgid int) {
	live.Lock()
	delete(live.pgids, pgid)
	live.Unlock()
}

// ReapStrays reaps the exited children of the runner that belong to none of its live
// groups and returns how many it reaped. Members of a live group are left to the group
// (its leader's wait status is the run's result). Such strays are never killed: they left
// the group that the deadline ends.
func ReapStrays() int {
	live.Lock()
	defer live.Unlock()
	// The common case costs one system call and no allocation: no exited child at all, or
	// only strays. The children are listed only when a live group's member is in the way.
	n := 0
	for {
		pid, ok := exitedChild()
		if !ok {
			return n
		}
		reaped, inLive := reapIfStray(pid)
		if inLive {
			break
		}
		if !reaped {
			return n // someone else took it meanwhile
		}
		n++
	}
	for _, pid := range children() {
		if reaped, _ := reapIfStray(pid); reaped {
			n++
		}
	}
	return n
}

// reapIfStray reaps pid if it has exited and is in none of the live groups, and reports
// whether it did, and whether pid is a live group's (then it is left to the group). The
// caller holds live.
func reapIfStray(pid int) (reaped, inLive bool) {
	if pgid, err := syscall.Getpgid(pid); err == nil {
		if _, ok := live.pgids[pgid]; ok {
			return false, true
		}
	}
	var ws syscall.WaitStatus
	got, _ := syscall.Wait4(pid, &ws, syscall.WNOHANG, nil)
	return got == pid, false
}

// exitedChild is a child that has exited and not been reaped, if any, left unreaped:
// waitid(P_ALL, WEXITED|WNOHANG|WNOWAIT). Which one, when there are several, is the kernel's choice.
func exitedChild() (int, bool) {
	const pAll, wExited, wNoWait = 0, 4, 0x1000000
	var info [128]byte // siginfo_t: three ints, then (aligned to a pointer) si_pid
	off := 3 * 4
	if unsafe.Sizeof(uintptr(0)) == 8 {
		off = 16
	}
	_, _, errno := syscall.Syscall6(syscall.SYS_WAITID, pAll, 0, uintptr(unsafe.Pointer(&info[0])),
		wExited|syscall.WNOHANG|wNoWait, 0, 0)
	if errno != 0 {
		return 0, false // ECHILD: no children at all
	}
	pid := int(*(*int32)(unsafe.Pointer(&info[off])))
	return pid, pid > 0 // 0: children, none exited
}

// children lists the runner's child processes: from /proc/self/task/*/children when the
// kernel has it (CONFIG_PROC_CHILDREN), else by the parent pid in every /proc/PID/stat.
func children() []int {
	files, _ := filepath.Glob("/proc/self/task/*/children")
	var pids []int
	found := false
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		found = true
		for _, field := range bytes.Fields(b) {
			if pid, err := strconv.Atoi(string(field)); err == nil {
				pids = append(pids, pid)
			}
		}
	}
	if found {
		return pids
	}
	return childrenByStat(os.Getpid())
}

func childrenByStat(self int) []int {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if ppid, ok := parentOf(pid); ok && ppid == self {
			pids = append(pids, pid)
		}
	}
	return pids
}

// parentOf reads the parent pid (field 4) of /proc/PID/stat.
func parentOf(pid int) (int, bool) {
	f, err := procstat.Fields(strconv.Itoa(pid))
	if err != nil || len(f) <= 4-3 {
		return 0, false
	}
	ppid, err := strconv.Atoi(string(f[4-3]))
	return ppid, err == nil
}
