package main

import (
	"runtime/debug"
	"testing"
)

func TestTuneMemorySetsTheGCPercentUnlessGOGCIsGiven(t *testing.T) {
	old := debug.SetGCPercent(100)
	defer debug.SetGCPercent(old)
	tuneMemory(func(name string) string {
		if name == "GOGC" {
			return "100"
		}
		return ""
	})
	if got := debug.SetGCPercent(100); got != 100 {
		t.Fatalf("GC percent %d with GOGC=100 given, want it left at 100", got)
	}
	tuneMemory(noEnv)
	if got := debug.SetGCPercent(100); got != gcPercent {
		t.Fatalf("GC percent %d, want %d", got, gcPercent)
	}
}
