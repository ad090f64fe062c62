package main

import "runtime/debug"

// gcPercent is the garbage collector's target: the heap may grow by this percentage of
// what is live before the next collection (Go's default is 100). The runner's live heap is
// under a megabyte, so the target is the runtime's minimum, 4 MiB × gcPercent/100; runs
// and scrapes allocate a few kilobytes each, and a collection of so small a heap costs
// well under a millisecond of CPU.
const gcPercent = 50

// tuneMemory sets the garbage collector from the code, not through GOGC in the
// environment, which every run would inherit. A GOGC the runner was given wins.
func tuneMemory(getenv func(string) string) {
	if getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
}
