package clock

import (
	"runtime"
	"syscall"
	"testing"
	"time"
)

// timerSlack reads the calling thread's timer slack; the caller holds LockOSThread.
func timerSlack(t *testing.T) uintptr {
	t.Helper()
	ns, _, errno := syscall.RawSyscall(syscall.SYS_PRCTL, prGetTimerslack, 0, 0)
	if errno != 0 {
		t.Fatalf("prctl(PR_GET_TIMERSLACK): %v", errno)
	}
	return ns
}

func setTimerSlack(t *testing.T, ns uintptr) {
	t.Helper()
	if _, _, errno := syscall.RawSyscall(syscall.SYS_PRCTL, prSetTimerslack, ns, 0); errno != 0 {
		t.Fatalf("prctl(PR_SET_TIMERSLACK, %d): %v", ns, errno)
	}
}

// The thread that slept forks the run next; it must have its own slack back, or every run
// would inherit 1 ns.
func TestSleepUntilPutsTheThreadsTimerSlackBack(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	before := timerSlack(t)
	for _, slack := range []uintptr{before, 123457} { // the default, and one that is not
		setTimerSlack(t, slack)
		sleepUntil(time.Now().Add(time.Millisecond))
		if got := timerSlack(t); got != slack {
			t.Errorf("timer slack after sleepUntil = %d ns, want %d", got, slack)
		}
	}
	setTimerSlack(t, before)
}

func TestWithTimerSlackSetsItDuringTheCall(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	before := timerSlack(t)
	if before <= 1 {
		t.Skipf("the thread's slack is already %d ns", before)
	}
	var during uintptr
	withTimerSlack(1, func() { during = timerSlack(t) })
	if during != 1 {
		t.Errorf("timer slack during the call = %d ns, want 1", during)
	}
	if got := timerSlack(t); got != before {
		t.Errorf("timer slack after the call = %d ns, want %d", got, before)
	}
}
