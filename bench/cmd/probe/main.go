// Command probe is what the benchmarked runs execute. The first thing it does in main is
// read the clock; it writes "probe SLOT NANOSECONDS" to stdout, the lateness it saw against
// the slot in PERIODIC_SLOT (RFC 3339, as the ticker gives it; the bare loop sets it too).
// That lateness is the child-observed one: the launch lateness plus fork, exec and the
// probe's own Go runtime start (the same for every subject). Exit 2: no or a bad slot.
package main

import (
	"os"
	"strconv"
	"time"

	"periodic.dev/bench/internal/probeline"
)

func main() {
	now := time.Now()
	s := os.Getenv("PERIODIC_SLOT")
	slot, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		os.Stderr.WriteString("probe: PERIODIC_SLOT " + strconv.Quote(s) + ": not RFC 3339\n")
		os.Exit(2)
	}
	var buf [96]byte
	if _, err := os.Stdout.Write(probeline.Append(buf[:0], s, now.Sub(slot))); err != nil {
		os.Exit(1)
	}
}
