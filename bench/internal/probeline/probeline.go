// Package probeline is the one line cmd/probe writes per run: "probe SLOT NANOSECONDS\n",
// SLOT as the probe was given it (RFC 3339), NANOSECONDS its lateness as it saw it. It
// imports only strconv, so the probe's start stays small.
package probeline

import (
	"strconv"
	"time"
)

// Prefix starts every probe line.
const Prefix = "probe "

// Append appends the line for slot and lateness to buf.
func Append(buf []byte, slot string, lateness time.Duration) []byte {
	buf = append(buf, Prefix...)
	buf = append(buf, slot...)
	buf = append(buf, ' ')
	buf = strconv.AppendInt(buf, int64(lateness), 10)
	return append(buf, '\n')
}
