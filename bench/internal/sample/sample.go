// Package sample reads the lines the measured processes write: the run log of the ticker
// and of the bare loop (JSON, one line per run, lateness at launch), the probe's line
// (lateness seen by the started child) and the wake-up lines of cmd/wakeup.
package sample

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"periodic.dev/bench/internal/probeline"
)

// Kind is what a sample measures.
type Kind int

const (
	// Launch: from the slot to the process launching the run, just before fork (the
	// ticker's `lateness`, the bare loop's own equivalent).
	Launch Kind = iota + 1
	// Child: from the slot to the probe's first instruction in main, as the probe sees it:
	// launch lateness plus fork, exec and the probe's Go runtime start.
	Child
	// Wake: from an instant to a sleeper's wake-up (cmd/wakeup), no fork involved.
	Wake
)

// Sample is one measured lateness.
type Sample struct {
	Kind     Kind
	Slot     time.Time
	Lateness time.Duration // negative when early
	Method   string        // Wake: how the sleeper waited
	Attempt  int           // Launch: 1 for a slot's first attempt, 0 for a skipped slot
	Result   string        // Launch: success, failure, timeout, skipped
	Slots    int           // Launch: a skipped record for several slots the ticker woke too late for: how many (0: one)
	CatchUp  bool          // Launch: a catch-up run (not on time by design)
}

// Class says what a line was.
type Class int

const (
	IsSample Class = iota + 1 // a sample
	IsInfo                    // a log line of no interest (start, stop messages)
	IsOther                   // anything else: worth showing to a human
)

// logLine is the subset of a JSON log line read here.
type logLine struct {
	Level    string   `json:"level"`
	Msg      string   `json:"msg"`
	Slot     string   `json:"slot"`
	Attempt  int      `json:"attempt"`
	Result   string   `json:"result"`
	Lateness *float64 `json:"lateness"` // seconds
	Method   string   `json:"method"`
	CatchUp  bool     `json:"catch_up"`
	Slots    int      `json:"slots"` // a skipped record for several slots the ticker woke too late for
}

// Parse reads one line (without its newline).
func Parse(line []byte) (Sample, Class, error) {
	line = bytes.TrimSpace(line)
	switch {
	case bytes.HasPrefix(line, []byte(probeline.Prefix)):
		s, err := parseProbe(string(line))
		if err != nil {
			return Sample{}, IsOther, err
		}
		return s, IsSample, nil
	case len(line) > 0 && line[0] == '{':
		return parseLog(line)
	}
	return Sample{}, IsOther, nil
}

func parseProbe(line string) (Sample, error) {
	f := strings.Fields(line)
	if len(f) != 3 {
		return Sample{}, fmt.Errorf("probe line %q: want \"probe SLOT NANOSECONDS\"", line)
	}
	slot, err := time.Parse(time.RFC3339Nano, f[1])
	if err != nil {
		return Sample{}, fmt.Errorf("probe line %q: slot: %w", line, err)
	}
	ns, err := strconv.ParseInt(f[2], 10, 64)
	if err != nil {
		return Sample{}, fmt.Errorf("probe line %q: lateness: %w", line, err)
	}
	return Sample{Kind: Child, Slot: slot, Lateness: time.Duration(ns)}, nil
}

func parseLog(line []byte) (Sample, Class, error) {
	var l logLine
	if err := json.Unmarshal(line, &l); err != nil {
		return Sample{}, IsOther, nil // not ours: show it
	}
	var kind Kind
	switch l.Msg {
	case "run":
		kind = Launch
	case "wake":
		kind = Wake
	default:
		if l.Level == "INFO" {
			return Sample{}, IsInfo, nil
		}
		return Sample{}, IsOther, nil
	}
	if l.Lateness == nil {
		return Sample{}, IsOther, fmt.Errorf("%s line without lateness: %s", l.Msg, line)
	}
	slot, err := time.Parse(time.RFC3339Nano, l.Slot)
	if err != nil {
		return Sample{}, IsOther, fmt.Errorf("%s line: slot: %w", l.Msg, err)
	}
	return Sample{Kind: kind, Slot: slot, Lateness: Seconds(*l.Lateness), Method: l.Method,
		Attempt: l.Attempt, Result: l.Result, CatchUp: l.CatchUp, Slots: l.Slots}, IsSample, nil
}

// Seconds converts a float number of seconds to a Duration, rounded to the nanosecond.
func Seconds(s float64) time.Duration { return time.Duration(math.Round(s * 1e9)) }
