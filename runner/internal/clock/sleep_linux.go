package clock

import (
	"runtime"
	"syscall"
	"time"
	"unsafe"
)

// sleepUntil blocks the calling thread until the wall clock reads t, using
// clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME): an absolute target needs no
// recomputation when the sleep is interrupted (Go's preemption signals do that). The
// thread's timer slack is 1 ns during the sleep, so the kernel does not wake it up to
// Linux's default 50 µs late.
func sleepUntil(t time.Time) {
	const clockRealtime, timerAbstime = 0, 1
	ts := syscall.NsecToTimespec(t.UnixNano())
	withTimerSlack(1, func() {
		for {
			_, _, errno := syscall.Syscall6(syscall.SYS_CLOCK_NANOSLEEP, clockRealtime, timerAbstime,
				uintptr(unsafe.Pointer(&ts)), 0, 0, 0)
			if errno != syscall.EINTR {
				return
			}
		}
	})
}

const prSetTimerslack, prGetTimerslack = 29, 30

// withTimerSlack runs f on a thread of its own whose timer slack is ns, then puts the
// thread's old slack back. Putting it back matters: slack is per thread and inherited by
// what the thread forks or clones, and the thread that wakes at a slot is the one that
// forks the run right after — a task would otherwise run with 1 ns slack. (While the
// thread is locked, the runtime clones no new thread from it: it asks its template thread.)
// When the slack cannot be read or is already ns or less (0 for a real-time thread), f
// runs with it unchanged.
func withTimerSlack(ns uintptr, f func()) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	old, _, errno := syscall.RawSyscall(syscall.SYS_PRCTL, prGetTimerslack, 0, 0)
	if errno != 0 || old <= ns {
		f()
		return
	}
	syscall.RawSyscall(syscall.SYS_PRCTL, prSetTimerslack, ns, 0)
	defer syscall.RawSyscall(syscall.SYS_PRCTL, prSetTimerslack, old, 0)
	f()
}
