package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"periodic.dev/bench/internal/sample"
)

var t0 = time.Date(2025, 12, 3, 14, 0, 0, 0, time.UTC)

// runs returns launch and child samples for n slots of period from t0+offset, launch
// lateness launch(i) and child lateness launch(i)+fork.
func runs(n int, period, offset time.Duration, launch func(i int) time.Duration, fork time.Duration) []sample.Sample {
	var out []sample.Sample
	for i := range n {
		slot := t0.Add(offset + time.Duration(i)*period)
		out = append(out,
			sample.Sample{Kind: sample.Launch, Slot: slot, Lateness: launch(i), Attempt: 1, Result: "success"},
			sample.Sample{Kind: sample.Child, Slot: slot, Lateness: launch(i) + fork})
	}
	return out
}

func phase() Phase {
	period := 100 * time.Millisecond
	ticker := runs(12, period, 0, func(i int) time.Duration { return time.Duration(i+1) * 10 * time.Microsecond }, 400*time.Microsecond)
	// Outside the window: the first slot is before From, the last at To; both must be left out.
	ticker[0].Lateness, ticker[1].Lateness = time.Hour, time.Hour
	ticker[22].Lateness, ticker[23].Lateness = time.Hour, time.Hour
	ticker = append(ticker,
		sample.Sample{Kind: sample.Launch, Slot: t0.Add(5 * period), Result: "skipped"},
		sample.Sample{Kind: sample.Launch, Slot: t0.Add(7 * period), Result: "skipped", Slots: 2}, // slept through 2
		sample.Sample{Kind: sample.Launch, Slot: t0.Add(6 * period), Attempt: 1, Result: "success", CatchUp: true, Lateness: time.Minute})
	bare := runs(12, period, period/2, func(i int) time.Duration { return time.Duration(i+1) * 100 * time.Microsecond }, 800*time.Microsecond)
	bare[2].Result = "failure"
	return Phase{Period: period, Load: "idle", From: t0.Add(period), To: t0.Add(11 * period),
		Subjects: map[string]Subject{Ticker: {Samples: ticker}, Bare: {Offset: period / 2, Samples: bare}},
		Wakes: []sample.Sample{
			{Kind: sample.Wake, Method: "hybrid", Slot: t0.Add(2 * period), Lateness: 60 * time.Microsecond},
			{Kind: sample.Wake, Method: "gotimer", Slot: t0.Add(2 * period), Lateness: time.Millisecond},
			{Kind: sample.Wake, Method: "hybrid", Slot: t0, Lateness: time.Hour}, // before the window
		},
		Memory: map[string]MemoryUse{Ticker: {MaxRSS: 7 << 20, Peak: 8 << 20}, Bare: {MaxRSS: 5 << 20, Peak: 5 << 20}},
	}
}

func TestBuildRows(t *testing.T) {
	r := Build(Meta{}, []Phase{phase()}, nil)
	if len(r.Rows) != 2 {
		t.Fatalf("rows = %+v", r.Rows)
	}
	tk, b := r.Rows[0], r.Rows[1]
	// Ticker slots 1…10 in the window: launch 20µs … 110µs.
	if tk.Subject != Ticker || tk.Expected != 10 || tk.Launch.N != 10 || tk.Child.N != 10 {
		t.Errorf("ticker row %+v: want 10 expected, 10 launches, 10 children", tk)
	}
	if tk.Launch.P50Ms != 0.06 || tk.Launch.P99Ms != 0.11 || tk.Launch.MaxMs != 0.11 {
		t.Errorf("ticker launch = %+v, want p50 0.06 p99 0.11 max 0.11", tk.Launch)
	}
	if tk.ForkExec.N != 10 || tk.ForkExec.P50Ms != 0.4 {
		t.Errorf("ticker fork/exec = %+v, want 10 × 0.4 ms", tk.ForkExec)
	}
	if tk.Skipped != 3 || tk.CatchUps != 1 || tk.Failures != 0 {
		t.Errorf("ticker skipped %d catch-ups %d failures %d, want 3 1 0", tk.Skipped, tk.CatchUps, tk.Failures)
	}
	if tk.PeakRSS != 8 || tk.MaxRSS != 7 {
		t.Errorf("ticker RSS peak %v max %v, want 8 and 7 MiB", tk.PeakRSS, tk.MaxRSS)
	}
	// Bare slots at ½ period: 1.5 … 10.5 periods are in the (shifted) window.
	if b.Launch.N != 10 || b.Failures != 1 || b.Launch.P99Ms != 1.1 || b.ForkExec.P50Ms != 0.8 {
		t.Errorf("bare row %+v: want 10 launches, 1 failure, p99 1.1 ms, fork/exec 0.8 ms", b)
	}
}

func TestBuildRatiosWakesAims(t *testing.T) {
	r := Build(Meta{}, []Phase{phase()}, nil)
	if len(r.Ratios) != 1 {
		t.Fatalf("ratios = %+v", r.Ratios)
	}
	c := r.Ratios[0]
	if c.LaunchP99 == nil || *c.LaunchP99 != 0.1 || c.ForkExecP50 == nil || *c.ForkExecP50 != 0.5 {
		t.Errorf("ratios %+v: want launch p99 0.1, fork/exec p50 0.5", c)
	}
	if len(r.Wakes) != 2 || r.Wakes[0].Method != "hybrid" || r.Wakes[0].Wake.N != 1 || r.Wakes[0].Wake.MaxMs != 0.06 {
		t.Errorf("wakes = %+v: want hybrid (1 in the window, 0.06 ms) then gotimer", r.Wakes)
	}
	want := map[string]bool{
		"ticker launch p99 ≤ 1.5 ms, idle, 100ms slots":             true,
		"ticker launch p99 ≤ 1.2 × bare, idle, 100ms slots":         true,
		"ticker child-observed p99 ≤ 1.2 × bare, idle, 100ms slots": true,
		"ticker RSS ≤ 15 MiB (peak over the conditions)":            true,
	}
	if len(r.Aims) != len(want) {
		t.Fatalf("aims = %+v", r.Aims)
	}
	for _, a := range r.Aims {
		if met, ok := want[a.Aim]; !ok || met != a.Met {
			t.Errorf("aim %+v unexpected", a)
		}
	}
}

func TestAimsNotMet(t *testing.T) {
	p := phase()
	p.Memory[Ticker] = MemoryUse{Peak: 16 << 20}
	s := p.Subjects[Ticker]
	for i := range s.Samples {
		s.Samples[i].Lateness += 2 * time.Millisecond
	}
	r := Build(Meta{}, []Phase{p}, nil)
	for _, a := range r.Aims {
		if a.Met {
			t.Errorf("aim %q met with a ticker 2 ms late and 16 MiB", a.Aim)
		}
	}
}

func TestNoBareSamplesGivesNoRatio(t *testing.T) {
	p := phase()
	p.Subjects[Bare] = Subject{}
	r := Build(Meta{}, []Phase{p}, nil)
	if r.Ratios[0].LaunchP99 != nil {
		t.Errorf("ratio without bare samples = %v, want none", *r.Ratios[0].LaunchP99)
	}
	if _, err := json.Marshal(r); err != nil {
		t.Errorf("JSON: %v", err)
	}
}

func TestOutputs(t *testing.T) {
	soak := &Soak{Slot: "100ms", Seconds: 120, PeakMiB: 16.5, Series: []RSSAt{{10, 11.2}, {20, 12.5}}}
	r := Build(Meta{Command: "benchrun -seconds 1", UptimeBefore: "up 1 min"}, []Phase{phase()}, soak)
	var buf bytes.Buffer
	if err := r.WriteTable(&buf); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"launch p50", "ticker", "bare", "0.10×", "hybrid", "up 1 min", "met", "11.2 12.5", "NOT met"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, buf.String())
		}
	}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var back struct {
		Rows []struct {
			Launch struct {
				P99 float64 `json:"p99_ms"`
			} `json:"launch_lateness"`
		} `json:"rows"`
	}
	if err := json.Unmarshal(b, &back); err != nil || len(back.Rows) != 2 || back.Rows[0].Launch.P99 != 0.11 {
		t.Errorf("JSON round trip = %+v, %v", back, err)
	}
}
