package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"syscall"
	"time"

	"periodic.dev/bench/internal/procstat"
	"periodic.dev/bench/internal/report"
	"periodic.dev/bench/internal/slots"
)

// phase is one condition: the ticker, the bare loop and the wake-up sampler side by side
// at one slot period, for a window of whole periods after a warm-up.
type phase struct {
	cfg    config
	period time.Duration
	load   string
}

// stopGrace is how long a process has to end after SIGTERM.
const stopGrace = 10 * time.Second

// wakeup is the name of cmd/wakeup's process; the subjects are report.Ticker, report.Bare.
const wakeup = "wakeup"

// started is a process of a phase and what it wrote.
type started struct {
	name string
	c    *child
	col  *collector
}

func (p phase) bareOffset() time.Duration { return time.Duration(p.cfg.bareOffset * float64(p.period)) }

// start starts the ticker, the bare loop and the wake-up sampler, in that order; on an
// error it returns those started so far.
func (p phase) start() ([]started, error) {
	bin, period := p.cfg.bin, p.period.String()
	procs := []struct {
		name, path string
		args       []string
	}{
		{report.Ticker, bin("ticker"), []string{"--interval", period, "--timeout", "5s", "--kill-grace", "1s",
			"--listen=", "--", bin(p.cfg.probe)}},
		{report.Bare, bin("bareloop"), []string{"-period", period, "-offset", p.bareOffset().String(), "--", bin(p.cfg.probe)}},
		{wakeup, bin("wakeup"), []string{"-period", period}},
	}
	var out []started
	for _, pr := range procs {
		col := &collector{name: pr.name + "@" + period, out: p.cfg.stderr}
		c, err := startChild(col.name, pr.path, pr.args, col.line)
		if err != nil {
			return out, err
		}
		out = append(out, started{name: pr.name, c: c, col: col})
	}
	return out, nil
}

// run measures the phase; an error means something broke (a process did not start or
// died, a line could not be read), not that a figure was poor.
func (p phase) run(ctx context.Context) (report.Phase, error) {
	out := report.Phase{Period: p.period, Load: p.load, Subjects: map[string]report.Subject{},
		Memory: map[string]report.MemoryUse{}}
	before := readMachine()
	procs, err := p.start()
	errs := []error{err}
	if err == nil {
		out.From = slots.Grid{Period: p.period}.Next(time.Now().Add(p.cfg.warmup - p.period))
		out.To = out.From.Add(time.Duration(p.cfg.seconds) * time.Second)
		errs = append(errs, watch(ctx, procs[:2], out.To.Add(100*time.Millisecond), out.Memory))
	}
	var own time.Duration
	for i := len(procs) - 1; i >= 0; i-- {
		errs = append(errs, procs[i].c.stop(syscall.SIGTERM, stopGrace))
		own += procs[i].c.cpu()
	}
	out.Machine = before.until(readMachine(), own)
	for _, pr := range procs {
		s, broken := pr.col.samples()
		errs = append(errs, broken...)
		switch pr.name {
		case wakeup:
			out.Wakes = s
		case report.Bare:
			out.Subjects[pr.name] = report.Subject{Offset: p.bareOffset(), Samples: s}
		default:
			out.Subjects[pr.name] = report.Subject{Samples: s}
		}
	}
	return out, errors.Join(errs...)
}

// sampleEvery is how often the resident sets are read and the processes looked at.
const sampleEvery = 200 * time.Millisecond

// watch waits until end, reading the resident set of the subjects and returning early when
// one dies or ctx is done.
func watch(ctx context.Context, subjects []started, end time.Time, mem map[string]report.MemoryUse) error {
	tick := time.NewTicker(sampleEvery)
	defer tick.Stop()
	deadline := time.NewTimer(time.Until(end))
	defer deadline.Stop()
	for {
		for _, s := range subjects {
			if err := s.c.diedEarly(); err != nil {
				return err
			}
			if m, err := procstat.ReadMemory(s.c.Pid()); err == nil {
				u := mem[s.name]
				u.Observe(m)
				mem[s.name] = u
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("interrupted: %w", ctx.Err())
		case <-deadline.C:
			return nil
		case <-tick.C:
		}
	}
}

// machineReading is the machine's counters at one instant.
type machineReading struct {
	at   time.Time
	cpu  procstat.CPUTimes
	load procstat.LoadAverage
	err  error
}

func readMachine() machineReading {
	m := machineReading{at: time.Now()}
	var err error
	m.cpu, m.err = procstat.ReadCPUTimes()
	m.load, err = procstat.ReadLoadAverage()
	m.err = errors.Join(m.err, err)
	return m
}

// until is the machine from m to end; own is the CPU time of the phase's processes (the
// subjects with their runs and the wake-up sampler) over it.
func (m machineReading) until(end machineReading, own time.Duration) report.Machine {
	out := report.Machine{LoadBefore: m.load, LoadAfter: end.load}
	if m.err == nil && end.err == nil {
		out.CPUBusy = procstat.BusyBetween(m.cpu, end.cpu)
		out.Steal = procstat.StealBetween(m.cpu, end.cpu)
		out.SubjectsCPU = procstat.ShareOf(own, m.cpu, end.cpu)
	}
	return out
}

// startBurners starts n CPU burners.
func startBurners(cfg config, n int) ([]*child, error) {
	var out []*child
	for i := range n {
		col := &collector{name: "burn" + strconv.Itoa(i), out: cfg.stderr}
		c, err := startChild(col.name, cfg.bin("burn"), nil, col.line)
		if err != nil {
			return out, err
		}
		out = append(out, c)
	}
	return out, nil
}
