package report

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// WriteTable prints the figures for a human: one line per subject and condition (times in
// milliseconds), the ratios ticker/bare, the wake-up accuracy, the machine and the aims.
func (r Report) WriteTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	p := func(format string, a ...any) { fmt.Fprintf(tw, format, a...) }
	p("slot\tload\tsubject\tslots\tn\tlaunch p50\tp99\tmax\tchild p50\tp99\tmax\tfork/exec p50\tp99\tfail\tskip\tpeak RSS MiB\t\n")
	for _, x := range r.Rows {
		p("%s\t%s\t%s\t%d\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t%d\t%.1f\t\n", x.Slot, x.Load, x.Subject, x.Expected, x.Launch.N,
			f3(x.Launch.P50Ms), f3(x.Launch.P99Ms), f3(x.Launch.MaxMs), f3(x.Child.P50Ms), f3(x.Child.P99Ms), f3(x.Child.MaxMs),
			f3(x.ForkExec.P50Ms), f3(x.ForkExec.P99Ms), x.Failures, x.Skipped, max(x.PeakRSS, x.MaxRSS))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w, "\nratio ticker/bare (below 1: the ticker is earlier)")
	p("slot\tload\tlaunch p50\tlaunch p99\tchild p99\tfork/exec p50\t\n")
	for _, c := range r.Ratios {
		p("%s\t%s\t%s\t%s\t%s\t%s\t\n", c.Slot, c.Load, times(c.LaunchP50), times(c.LaunchP99), times(c.ChildP99), times(c.ForkExecP50))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(r.Wakes) > 0 {
		fmt.Fprintln(w, "\ntimer wake-up, no fork (cmd/wakeup; hybrid-slack1 = the ticker's technique)")
		p("slot\tload\tmethod\tn\tp50\tp99\tmax\t\n")
		for _, x := range r.Wakes {
			p("%s\t%s\t%s\t%d\t%s\t%s\t%s\t\n", x.Slot, x.Load, x.Method, x.Wake.N, f3(x.Wake.P50Ms), f3(x.Wake.P99Ms), f3(x.Wake.MaxMs))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	if s := r.Soak; s != nil {
		fmt.Fprintf(w, "\nsoak: the ticker alone at %s slots for %d s, metrics served and scraped every %s (%d scrapes, %d failed)\n",
			s.Slot, s.Seconds, s.ScrapeEvery, s.Scrapes, s.ScrapeErrors)
		fmt.Fprintf(w, "  RSS MiB: peak %.1f, at the end %.1f; every 10 s:", max(s.PeakMiB, s.MaxRSSMiB), s.FinalMiB)
		for _, x := range s.Series {
			fmt.Fprintf(w, " %.1f", x.RSSMiB)
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w, "\nmachine (load average 1/5/15 min; CPU busy: all CPUs, everything, steal included; subjects: ticker, bare loop, runs, wakeup;")
	fmt.Fprintln(w, "other: the rest; steal: CPU time the hypervisor gave other guests)")
	p("slot\tload\tburners\tload avg before\tafter\tCPU busy\tsubjects\tother\tsteal\t\n")
	for _, ph := range r.Phases {
		m := ph.Machine
		p("%s\t%s\t%d\t%s\t%s\t%.0f %%\t%.1f %%\t%s\t%.1f %%\t\n", ph.Slot, ph.Load, m.Burners, loadavg(m.LoadBefore), loadavg(m.LoadAfter),
			100*m.CPUBusy, 100*m.SubjectsCPU, other(m), 100*m.Steal)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, "uptime before: %s\nuptime after:  %s\n", r.Meta.UptimeBefore, r.Meta.UptimeAfter)
	fmt.Fprintf(w, "runs exec %s; %d s per condition; %d CPUs, Linux %s, %s\n", r.Meta.Probe, r.Meta.Seconds,
		r.Meta.CPUs, r.Meta.Kernel, r.Meta.GoVersion)
	fmt.Fprintln(w, "\naims (issue 5; informative, nothing fails on them)")
	for _, a := range r.Aims {
		verdict := "NOT met"
		if a.Met {
			verdict = "met"
		}
		fmt.Fprintf(w, "  %-62s %-12s %s\n", a.Aim, a.Figure, verdict)
	}
	return nil
}

func f3(v float64) string { return fmt.Sprintf("%.3f", v) }

func times(v *float64) string {
	if v == nil {
		return "–"
	}
	return fmt.Sprintf("%.2f×", *v)
}

func loadavg(l [3]float64) string {
	s := make([]string, len(l))
	for i, v := range l {
		s[i] = fmt.Sprintf("%.2f", v)
	}
	return strings.Join(s, " ")
}

// other is the CPU share of everything but the subjects and steal, when no burner
// saturates the CPUs.
func other(m Machine) string {
	if m.Burners > 0 {
		return "(burners)"
	}
	return fmt.Sprintf("%.0f %%", 100*max(0, m.CPUBusy-m.SubjectsCPU-m.Steal))
}
