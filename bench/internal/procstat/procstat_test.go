package procstat

import (
	"os"
	"testing"
	"time"
)

func TestParseMemory(t *testing.T) {
	status := "Name:\tticker\nVmPeak:\t 1238000 kB\nVmHWM:\t    9216 kB\nVmRSS:\t    8192 kB\nThreads:\t5\n"
	m, err := ParseMemory([]byte(status))
	if err != nil {
		t.Fatal(err)
	}
	if m.RSS != 8<<20 || m.Peak != 9<<20 {
		t.Errorf("ParseMemory = %+v, want RSS 8 MiB, peak 9 MiB", m)
	}
	if _, err := ParseMemory([]byte("Name:\tkthreadd\nThreads:\t1\n")); err == nil {
		t.Error("a status without VmRSS parsed")
	}
	if _, err := ParseMemory([]byte("VmHWM:\t1 MB\nVmRSS:\t1 kB\n")); err == nil {
		t.Error("a status in MB parsed")
	}
}

func TestReadMemoryOfSelf(t *testing.T) {
	m, err := ReadMemory(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if m.RSS <= 0 || m.Peak < m.RSS {
		t.Errorf("own memory %+v: want 0 < RSS ≤ peak", m)
	}
}

func TestCPUTimes(t *testing.T) {
	a, err := ParseCPUTimes([]byte("cpu  90 10 50 800 40 0 0 10 0 0\ncpu0 1 2 3 4\n"))
	if err != nil {
		t.Fatal(err)
	}
	if a != (CPUTimes{Busy: 160, Steal: 10, Total: 1000}) {
		t.Errorf("ParseCPUTimes = %+v", a)
	}
	b := CPUTimes{Busy: 160 + 150, Steal: 10 + 4, Total: 1000 + 200}
	if got := StealBetween(a, b); got != 0.02 {
		t.Errorf("StealBetween = %v, want 0.02", got)
	}
	if got := BusyBetween(a, b); got != 0.75 {
		t.Errorf("BusyBetween = %v, want 0.75", got)
	}
	if got := BusyBetween(a, a); got != 0 {
		t.Errorf("BusyBetween(a, a) = %v, want 0", got)
	}
	if got := ShareOf(500*time.Millisecond, a, b); got != 0.25 { // 50 of 200 ticks
		t.Errorf("ShareOf = %v, want 0.25", got)
	}
	if _, err := ParseCPUTimes([]byte("intr 1 2 3")); err == nil {
		t.Error("a /proc/stat without a cpu line parsed")
	}
}

func TestParseLoadAverage(t *testing.T) {
	l, err := ParseLoadAverage([]byte("5.22 5.38 5.12 3/166 23932\n"))
	if err != nil || l != (LoadAverage{5.22, 5.38, 5.12}) {
		t.Errorf("ParseLoadAverage = %v, %v", l, err)
	}
	if _, err := ParseLoadAverage([]byte("1.0")); err == nil {
		t.Error("a short loadavg parsed")
	}
}
