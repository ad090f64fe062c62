package report

import (
	"fmt"
	"time"

	"periodic.dev/bench/internal/stats"
)

// Report is every figure of a benchmark run.
type Report struct {
	Meta   Meta         `json:"meta"`
	Phases []PhaseMeta  `json:"phases"`
	Rows   []Row        `json:"rows"`
	Ratios []Comparison `json:"ratios"`
	Wakes  []WakeRow    `json:"wakeups"`
	Soak   *Soak        `json:"soak,omitempty"`
	Aims   []Aim        `json:"aims"`
}

// Meta says how and where the run was made.
type Meta struct {
	Command      string    `json:"command"`
	Seconds      int       `json:"seconds"`
	Probe        string    `json:"probe"` // what the runs exec: probe-c or probe (Go)
	Started      time.Time `json:"started"`
	GoVersion    string    `json:"go_version"`
	CPUs         int       `json:"cpus"`
	Kernel       string    `json:"kernel"`
	UptimeBefore string    `json:"uptime_before"`
	UptimeAfter  string    `json:"uptime_after"`
}

// PhaseMeta is one condition and the machine around it.
type PhaseMeta struct {
	Slot    string  `json:"slot"`
	Load    string  `json:"load"`
	From    string  `json:"from"`
	Machine Machine `json:"machine"`
}

// Row is one subject in one condition.
type Row struct {
	Slot     string  `json:"slot"`
	Load     string  `json:"load"`
	Subject  string  `json:"subject"`
	Expected int     `json:"expected_slots"`
	Launch   summary `json:"launch_lateness"`
	Child    summary `json:"child_lateness"`
	ForkExec summary `json:"fork_exec"` // child − launch, per slot
	Failures int     `json:"failures"`  // first attempts that did not succeed
	Skipped  int     `json:"skipped"`
	CatchUps int     `json:"catch_ups"`
	MaxRSS   float64 `json:"max_rss_mib"`
	PeakRSS  float64 `json:"peak_rss_mib"` // VmHWM
}

// Comparison is ticker / bare of the p99 of one condition; nil when the bare p99 is not
// positive.
type Comparison struct {
	Slot        string   `json:"slot"`
	Load        string   `json:"load"`
	LaunchP99   *float64 `json:"launch_p99_ratio"`
	ChildP99    *float64 `json:"child_p99_ratio"`
	LaunchP50   *float64 `json:"launch_p50_ratio"`
	ForkExecP50 *float64 `json:"fork_exec_p50_ratio"`
}

// WakeRow is one wake-up method in one condition.
type WakeRow struct {
	Slot   string  `json:"slot"`
	Load   string  `json:"load"`
	Method string  `json:"method"`
	Wake   summary `json:"lateness"`
}

// Build computes the figures of phases and takes the soak's (nil: none was run).
func Build(meta Meta, phases []Phase, soak *Soak) Report {
	r := Report{Meta: meta, Soak: soak}
	for _, p := range phases {
		slot := p.Period.String()
		r.Phases = append(r.Phases, PhaseMeta{Slot: slot, Load: p.Load, From: p.From.UTC().Format(time.RFC3339Nano), Machine: p.Machine})
		rows := map[string]Row{}
		for _, name := range []string{Ticker, Bare} {
			s, ok := p.Subjects[name]
			if !ok {
				continue
			}
			f := collect(p, s)
			m := p.Memory[name]
			row := Row{Slot: slot, Load: p.Load, Subject: name, Expected: Expected(p.Period, p.From, p.To),
				Launch: summarize(f.launch), Child: summarize(f.child), ForkExec: summarize(f.forkExec),
				Failures: f.failures, Skipped: f.skipped, CatchUps: f.catch, MaxRSS: mib(m.MaxRSS), PeakRSS: mib(m.Peak)}
			rows[name] = row
			r.Rows = append(r.Rows, row)
		}
		if t, ok := rows[Ticker]; ok {
			if b, ok := rows[Bare]; ok {
				r.Ratios = append(r.Ratios, Comparison{Slot: slot, Load: p.Load,
					LaunchP99: ratio(t.Launch.s.P99, b.Launch.s.P99), ChildP99: ratio(t.Child.s.P99, b.Child.s.P99),
					LaunchP50: ratio(t.Launch.s.P50, b.Launch.s.P50), ForkExecP50: ratio(t.ForkExec.s.P50, b.ForkExec.s.P50)})
			}
		}
		methods, by := wakeFigures(p)
		for _, m := range methods {
			r.Wakes = append(r.Wakes, WakeRow{Slot: slot, Load: p.Load, Method: m, Wake: summarize(by[m])})
		}
	}
	r.Aims = aims(r)
	return r
}

func ratio(a, b time.Duration) *float64 {
	v, ok := stats.Ratio(a, b)
	if !ok {
		return nil
	}
	return &v
}

// Aim is one aim of issue 5 and where the figures stand. Informative only.
type Aim struct {
	Aim    string `json:"aim"`
	Figure string `json:"figure"`
	Met    bool   `json:"met"`
}

// Aims of issue 5: ticker launch p99 ≤ 1.5 ms idle at 100 ms; ticker p99 ≤ 1.2 × the bare
// loop's in every condition; ticker RSS ≤ 15 MiB.
const (
	aimP99Idle100ms = 1500 * time.Microsecond
	aimRatio        = 1.2
	aimRSSMiB       = 15.0
)

func aims(r Report) []Aim {
	var out []Aim
	var peak float64
	for _, row := range r.Rows {
		if row.Subject != Ticker {
			continue
		}
		peak = max(peak, row.PeakRSS, row.MaxRSS)
		if row.Slot == (100*time.Millisecond).String() && row.Load == "idle" && row.Launch.N > 0 {
			out = append(out, Aim{Aim: "ticker launch p99 ≤ 1.5 ms, idle, 100ms slots",
				Figure: fmt.Sprintf("%.3f ms", row.Launch.P99Ms), Met: row.Launch.s.P99 <= aimP99Idle100ms})
		}
	}
	for _, c := range r.Ratios {
		out = append(out, ratioAim("launch", c.LaunchP99, c), ratioAim("child-observed", c.ChildP99, c))
	}
	if peak > 0 {
		out = append(out, Aim{Aim: "ticker RSS ≤ 15 MiB (peak over the conditions)",
			Figure: fmt.Sprintf("%.1f MiB", peak), Met: peak <= aimRSSMiB})
	}
	if s := r.Soak; s != nil && s.PeakMiB > 0 {
		p := max(s.PeakMiB, s.MaxRSSMiB)
		out = append(out, Aim{Aim: fmt.Sprintf("ticker RSS ≤ 15 MiB (soak: %d s, metrics served)", s.Seconds),
			Figure: fmt.Sprintf("%.1f MiB", p), Met: p <= aimRSSMiB})
	}
	return out
}

func ratioAim(what string, v *float64, c Comparison) Aim {
	a := Aim{Aim: fmt.Sprintf("ticker %s p99 ≤ 1.2 × bare, %s, %s slots", what, c.Load, c.Slot)}
	if v == nil {
		a.Figure = "no ratio (bare p99 not positive)"
		return a
	}
	a.Figure, a.Met = fmt.Sprintf("%.2f×", *v), *v <= aimRatio
	return a
}
