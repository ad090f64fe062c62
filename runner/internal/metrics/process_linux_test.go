package metrics

import (
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

func TestProcessCollectorReadsThisProcess(t *testing.T) {
	reg := prometheus.NewRegistry()
	reg.MustRegister(newProcessCollector())
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, f := range families {
		m := f.GetMetric()[0]
		switch {
		case m.Gauge != nil:
			got[f.GetName()] = m.Gauge.GetValue()
		case m.Counter != nil:
			got[f.GetName()] = m.Counter.GetValue()
		}
	}
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		t.Fatal(err)
	}
	now := float64(time.Now().UnixNano()) / 1e9
	checks := []struct {
		name string
		ok   func(float64) bool
	}{
		{"process_cpu_seconds_total", func(v float64) bool { return v > 0 && v < 3600 }},
		{"process_resident_memory_bytes", func(v float64) bool { return v > 1<<20 && v < 1<<34 }},
		{"process_virtual_memory_bytes", func(v float64) bool { return v >= got["process_resident_memory_bytes"] }},
		// A test binary started seconds ago; the 1/100 s ticks of /proc make it coarse.
		{"process_start_time_seconds", func(v float64) bool { return v > now-600 && v <= now+0.02 }},
		{"process_open_fds", func(v float64) bool { return v >= 3 && v < float64(lim.Cur) }},
		{"process_max_fds", func(v float64) bool { return v == float64(lim.Cur) }},
	}
	for _, c := range checks {
		v, found := got[c.name]
		if !found || !c.ok(v) {
			t.Errorf("%s = %v (served: %v)", c.name, v, found)
		}
	}
	if len(got) != len(checks) {
		t.Errorf("served %d process metrics, want %d: %v", len(got), len(checks), got)
	}
}

func TestProcessOpenFDsCountsANewFile(t *testing.T) {
	c := newProcessCollector()
	count := func() float64 {
		reg := prometheus.NewRegistry()
		reg.MustRegister(c)
		families, err := reg.Gather()
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range families {
			if f.GetName() == "process_open_fds" {
				return f.GetMetric()[0].GetGauge().GetValue()
			}
		}
		t.Fatal("no process_open_fds")
		return 0
	}
	before := count()
	f, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if after := count(); after != before+1 {
		t.Errorf("open fds %v → %v after opening one file", before, after)
	}
}
