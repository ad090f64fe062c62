// Package result names how a run ended and records one run (one attempt of a slot).
package result

import "time"

// Kind is how a run ended; its values are the `result` label of the runs metric, the
// `result` field of the run log line and the periodic.dev/last-result annotation.
type Kind string

const (
	Success Kind = "success" // exit status 0, or a 2xx answer
	Failure Kind = "failure" // non-zero exit, crash, non-2xx, start failure, replaced, lease lost
	Timeout Kind = "timeout" // the attempt's deadline (--timeout) ended it
	Skipped Kind = "skipped" // the slot started no run (concurrency policy)
)

// Kinds returns every Kind, in a fixed order.
func Kinds() []Kind { return []Kind{Success, Failure, Timeout, Skipped} }

// Record is one run: one attempt of one slot, or a skipped slot (Attempt 0, no Start/End).
type Record struct {
	Slot    time.Time // the instant the run is for (PERIODIC_SLOT)
	Attempt int       // 1 for the first attempt of the slot; 0 for a skipped slot
	Kind    Kind
	Start   time.Time // when the runner launched the run (just before fork, or the request)
	End     time.Time // when it had ended
	Code    int       // exit code (128+signal when killed), or HTTP status; 0 when none
	Detail  string    // why, in words, when not a success
	CatchUp bool      // run for a slot missed while no runner ran (--missed-runs RunOnce)
	Passed  int       // a skipped record for slots the runner woke too late for: how many (Slot is the first); 0 for one
}

// Slots is how many slots a skipped record stands for (1 unless Passed says more).
func (r Record) Slots() int { return max(1, r.Passed) }

// Duration is how long the run took.
func (r Record) Duration() time.Duration { return r.End.Sub(r.Start) }

// Lateness is how long after its slot the run started.
func (r Record) Lateness() time.Duration { return r.Start.Sub(r.Slot) }
