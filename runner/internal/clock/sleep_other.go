//go:build !linux

package clock

import "time"

// sleepUntil falls back to a Go timer where clock_nanosleep is not available.
func sleepUntil(t time.Time) { time.Sleep(time.Until(t)) }
