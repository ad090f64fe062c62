package main

import (
	"io"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"periodic.dev/bench/internal/report"
)

func TestParseFlags(t *testing.T) {
	c, err := parseFlags([]string{"-bin", "/nonexistent", "-seconds", "5", "-slots", "100ms, 1s", "-loads", "busy"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.seconds != 5 || len(c.periods) != 2 || c.periods[1] != time.Second || len(c.loads) != 1 || c.loads[0] != "busy" {
		t.Errorf("parseFlags = %+v", c)
	}
	if c.probe != "probe" {
		t.Errorf("-probe auto without a built probe-c = %q, want the Go probe", c.probe)
	}
	for _, bad := range [][]string{
		{"-seconds", "0"}, {"-slots", "1ms"}, {"-loads", "heavy"}, {"-bare-offset", "1"}, {"-probe", "sh"}, {"extra"},
	} {
		if _, err := parseFlags(bad, io.Discard); err == nil {
			t.Errorf("parseFlags(%q) accepted", bad)
		}
	}
}

func TestMissing(t *testing.T) {
	full := report.Report{
		Phases: []report.PhaseMeta{{Slot: "1s", Load: "idle"}},
		Rows:   []report.Row{{Slot: "1s", Load: "idle", Subject: report.Ticker}},
		Wakes:  []report.WakeRow{{Slot: "1s", Load: "idle", Method: "hybrid"}},
	}
	if err := missing(full); err == nil || !strings.Contains(err.Error(), "no samples") {
		t.Errorf("missing(a row without samples) = %v", err)
	}
	if err := missing(report.Report{}); err == nil {
		t.Error("missing(no rows) = nil")
	}
}

func TestChildLinesAndStop(t *testing.T) {
	var mu sync.Mutex
	var lines []string
	both := make(chan struct{})
	c, err := startChild("sh", "/bin/sh", []string{"-c", `echo out; echo err >&2; exec sleep 60`}, func(b []byte) {
		mu.Lock()
		defer mu.Unlock()
		if lines = append(lines, string(b)); len(lines) == 2 {
			close(both)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-both:
	case <-time.After(time.Minute):
		t.Fatal("no two lines within a minute")
	}
	if err := c.diedEarly(); err != nil {
		t.Fatalf("diedEarly of a running process: %v", err)
	}
	if err := c.stop(syscall.SIGTERM, 10*time.Second); err != nil {
		t.Fatalf("stop: %v", err)
	}
	if err := c.diedEarly(); err != nil {
		t.Errorf("diedEarly after stop: %v", err)
	}
	if strings.Join(lines, ",") != "out,err" && strings.Join(lines, ",") != "err,out" {
		t.Errorf("lines = %q, want out and err", lines)
	}
}

func TestChildThatDies(t *testing.T) {
	c, err := startChild("false", "/bin/sh", []string{"-c", "exit 3"}, func([]byte) {})
	if err != nil {
		t.Fatal(err)
	}
	<-c.exited
	if err := c.diedEarly(); err == nil {
		t.Error("diedEarly of a process that exited by itself = nil")
	}
	if _, err := startChild("none", "/nonexistent/program", nil, func([]byte) {}); err == nil {
		t.Error("starting a missing program succeeded")
	}
}
