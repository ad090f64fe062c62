package clock

import (
	"syscall"
	"time"
	"unsafe"
)

// sleepUntil blocks the calling thread until the wall clock reads t, using
// clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME): an absolute target needs no
// recomputation when the sleep is interrupted (Go's preemption signals do that).
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
