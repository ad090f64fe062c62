package main

import (
	"runtime"
	"syscall"
	"time"
	"unsafe"
)

// sleepUntil is runner/internal/clock's: clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME)
// until t, again after EINTR.
func sleepUntil(t time.Time) {
	const clockRealtime, timerAbstime = 0, 1
	ts := syscall.NsecToTimespec(t.UnixNano())
	for {
		_, _, errno := syscall.Syscall6(syscall.SYS_CLOCK_NANOSLEEP, clockRealtime, timerAbstime,
			uintptr(unsafe.Pointer(&ts)), 0, 0, 0)
		if errno != syscall.EINTR {
			return
		}
	}
}

// sleepUntilSlack1 is sleepUntil on a thread whose timer slack is 1 ns for the sleep (the
// kernel may otherwise wake a normal thread up to its slack, 50 µs by default, late, to
// batch wake-ups). The thread's slack is put back after, so other waits are not affected.
func sleepUntilSlack1(t time.Time) {
	const prSetTimerslack, prGetTimerslack = 29, 30
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	old, _, _ := syscall.RawSyscall(syscall.SYS_PRCTL, prGetTimerslack, 0, 0)
	syscall.RawSyscall(syscall.SYS_PRCTL, prSetTimerslack, 1, 0)
	defer syscall.RawSyscall(syscall.SYS_PRCTL, prSetTimerslack, old, 0)
	sleepUntil(t)
}
