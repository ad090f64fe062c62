// Package report turns the samples of each benchmark phase into figures: per subject the
// launch and child-observed lateness (count, p50, p99, max), the fork/exec cost between
// them, the resident set; the ratios ticker/bare; the wake-up accuracy; and how the figures
// stand against the aims of issue 5. It prints them as a table and as JSON; it decides
// nothing: no figure fails anything.
package report

import (
	"time"

	"periodic.dev/bench/internal/procstat"
	"periodic.dev/bench/internal/sample"
	"periodic.dev/bench/internal/stats"
)

// The subjects compared: the ticker runner, and the bare time.Ticker loop as baseline.
const (
	Ticker = "ticker"
	Bare   = "bare"
)

// Phase is what one condition (slot period × load) measured.
type Phase struct {
	Period   time.Duration
	Load     string               // "idle" or "busy"
	From, To time.Time            // slots in [From, To) count
	Subjects map[string]Subject   // Ticker, Bare
	Wakes    []sample.Sample      // cmd/wakeup's samples
	Machine  Machine              // the machine around the phase
	Memory   map[string]MemoryUse // per subject
}

// Subject is what one subject wrote during a phase.
type Subject struct {
	Offset  time.Duration // its slots are k × Period + Offset
	Samples []sample.Sample
}

// MemoryUse is a subject's resident set over a phase, in bytes: the largest VmRSS sampled
// and the last VmHWM read (its peak since it started, i.e. over the phase).
type MemoryUse struct {
	MaxRSS int64
	Peak   int64
}

// Observe folds one reading into u.
func (u *MemoryUse) Observe(m procstat.Memory) {
	u.MaxRSS = max(u.MaxRSS, m.RSS)
	u.Peak = max(u.Peak, m.Peak)
}

// Machine is the state of the machine around a phase.
type Machine struct {
	LoadBefore  procstat.LoadAverage `json:"load_average_before"`
	LoadAfter   procstat.LoadAverage `json:"load_average_after"`
	CPUBusy     float64              `json:"cpu_busy"`     // fraction of all CPUs busy during the phase, everything included
	SubjectsCPU float64              `json:"subjects_cpu"` // of which the ticker, the bare loop, their runs and cmd/wakeup
	Steal       float64              `json:"steal"`        // fraction of CPU time the hypervisor gave other guests
	Burners     int                  `json:"burners"`
}

// Expected is how many slots of a period fall into [from, to) for any offset: the window
// is a whole number of periods long.
func Expected(period time.Duration, from, to time.Time) int {
	return int(to.Sub(from) / period)
}

// inWindow: slots of the subject's grid in [From, To) shifted by its offset, so that every
// subject gets the same number of slots.
func inWindow(p Phase, offset time.Duration, slot time.Time) bool {
	from, to := p.From.Add(offset), p.To.Add(offset)
	return !slot.Before(from) && slot.Before(to)
}

// subjectFigures are the figures of one subject in one phase.
type subjectFigures struct {
	launch, child, forkExec  []time.Duration
	failures, skipped, catch int
}

func collect(p Phase, s Subject) subjectFigures {
	var f subjectFigures
	launchAt := map[time.Time]time.Duration{}
	var children []sample.Sample
	for _, x := range s.Samples {
		if !inWindow(p, s.Offset, x.Slot) {
			continue
		}
		switch {
		case x.Kind == sample.Child:
			children = append(children, x)
		case x.Kind != sample.Launch:
		case x.CatchUp:
			f.catch++
		case x.Attempt == 0:
			f.skipped += max(1, x.Slots)
		case x.Attempt == 1:
			if x.Result != "success" {
				f.failures++
			}
			f.launch = append(f.launch, x.Lateness)
			launchAt[x.Slot.UTC()] = x.Lateness
		}
	}
	for _, c := range children {
		f.child = append(f.child, c.Lateness)
		if l, ok := launchAt[c.Slot.UTC()]; ok {
			f.forkExec = append(f.forkExec, c.Lateness-l)
		}
	}
	return f
}

// wakeFigures groups the wake-up samples in the window by method, in first-seen order.
func wakeFigures(p Phase) (methods []string, by map[string][]time.Duration) {
	by = map[string][]time.Duration{}
	for _, w := range p.Wakes {
		if w.Kind != sample.Wake || w.Slot.Before(p.From) || !w.Slot.Before(p.To) {
			continue
		}
		if _, ok := by[w.Method]; !ok {
			methods = append(methods, w.Method)
		}
		by[w.Method] = append(by[w.Method], w.Lateness)
	}
	return methods, by
}

// summary is stats.Summary in milliseconds, for JSON.
type summary struct {
	N     int     `json:"n"`
	P50Ms float64 `json:"p50_ms"`
	P99Ms float64 `json:"p99_ms"`
	MaxMs float64 `json:"max_ms"`
	s     stats.Summary
}

func summarize(ds []time.Duration) summary {
	s := stats.Summarize(ds)
	return summary{N: s.N, P50Ms: ms(s.P50), P99Ms: ms(s.P99), MaxMs: ms(s.Max), s: s}
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func mib(b int64) float64 { return float64(b) / (1 << 20) }

// Soak is the ticker's resident set over a longer run alone, as deployed: metrics served
// on a port and scraped, at the shortest slot period.
type Soak struct {
	Slot         string  `json:"slot"`
	Seconds      int     `json:"seconds"`
	ScrapeEvery  string  `json:"scrape_every"`
	Scrapes      int     `json:"scrapes"`
	ScrapeErrors int     `json:"scrape_errors"`
	Runs         int     `json:"runs"` // run-log lines read
	MaxRSSMiB    float64 `json:"max_rss_mib"`
	PeakMiB      float64 `json:"peak_rss_mib"` // VmHWM
	FinalMiB     float64 `json:"final_rss_mib"`
	Series       []RSSAt `json:"series"` // VmRSS every 10 s
}

// RSSAt is the resident set so many seconds into the soak.
type RSSAt struct {
	Second int     `json:"second"`
	RSSMiB float64 `json:"rss_mib"`
}
