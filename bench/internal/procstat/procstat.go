// Package procstat reads what the benchmark reports about processes and the machine from
// /proc: a process's resident set (VmRSS, VmHWM), CPU time spent busy, the load average.
package procstat

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// Memory is a process's resident set size, now and at its peak, in bytes.
type Memory struct {
	RSS  int64 // VmRSS
	Peak int64 // VmHWM: the high-water mark of VmRSS over the process's life
}

// ReadMemory reads /proc/PID/status.
func ReadMemory(pid int) (Memory, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return Memory{}, fmt.Errorf("memory of pid %d: %w", pid, err)
	}
	return ParseMemory(b)
}

// ParseMemory reads VmRSS and VmHWM ("VmRSS:\t    1234 kB") from a status file.
func ParseMemory(status []byte) (Memory, error) {
	var m Memory
	var seen int
	sc := bufio.NewScanner(bytes.NewReader(status))
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), ":")
		if !ok || (name != "VmRSS" && name != "VmHWM") {
			continue
		}
		f := strings.Fields(value)
		if len(f) != 2 || f[1] != "kB" {
			return Memory{}, fmt.Errorf("status field %s: %q: want \"N kB\"", name, value)
		}
		kib, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			return Memory{}, fmt.Errorf("status field %s: %w", name, err)
		}
		if name == "VmRSS" {
			m.RSS = kib << 10
		} else {
			m.Peak = kib << 10
		}
		seen++
	}
	if seen != 2 {
		return Memory{}, fmt.Errorf("status: VmRSS or VmHWM missing (a kernel thread, or a zombie)")
	}
	return m, nil
}

// CPUTimes is the machine's CPU time so far (all CPUs, in clock ticks): busy (steal
// included), stolen by the hypervisor for other guests, and in total.
type CPUTimes struct{ Busy, Steal, Total uint64 }

// ReadCPUTimes reads the "cpu" line of /proc/stat.
func ReadCPUTimes() (CPUTimes, error) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return CPUTimes{}, err
	}
	return ParseCPUTimes(b)
}

// ParseCPUTimes reads the first line of /proc/stat: "cpu user nice system idle iowait irq
// softirq steal guest guest_nice". Idle and iowait are not busy; guest time is already in
// user and nice, so it is not added again.
func ParseCPUTimes(stat []byte) (CPUTimes, error) {
	line, _, _ := bytes.Cut(stat, []byte("\n"))
	f := strings.Fields(string(line))
	if len(f) < 5 || f[0] != "cpu" {
		return CPUTimes{}, fmt.Errorf("/proc/stat: first line %q: want \"cpu …\"", line)
	}
	var t CPUTimes
	for i, s := range f[1:min(len(f), 9)] { // user … steal
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			return CPUTimes{}, fmt.Errorf("/proc/stat: field %d: %w", i+1, err)
		}
		t.Total += v
		if i != 3 && i != 4 { // idle, iowait
			t.Busy += v
		}
		if i == 7 {
			t.Steal = v
		}
	}
	return t, nil
}

// BusyBetween is the fraction of CPU time busy (0…1) from a to b; 0 when no time passed.
func BusyBetween(a, b CPUTimes) float64 {
	if b.Total <= a.Total {
		return 0
	}
	return float64(b.Busy-a.Busy) / float64(b.Total-a.Total)
}

// StealBetween is the fraction of CPU time (0…1) stolen by the hypervisor from a to b.
func StealBetween(a, b CPUTimes) float64 {
	if b.Total <= a.Total {
		return 0
	}
	return float64(b.Steal-a.Steal) / float64(b.Total-a.Total)
}

// userHZ is the unit of /proc/stat: clock ticks per second (USER_HZ, 100 on Linux).
const userHZ = 100

// ShareOf is the fraction (0…1) of all CPU time from a to b that cpu makes up.
func ShareOf(cpu time.Duration, a, b CPUTimes) float64 {
	if b.Total <= a.Total {
		return 0
	}
	return cpu.Seconds() * userHZ / float64(b.Total-a.Total)
}

// LoadAverage is the 1, 5 and 15 minute load averages.
type LoadAverage [3]float64

// ReadLoadAverage reads /proc/loadavg.
func ReadLoadAverage() (LoadAverage, error) {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return LoadAverage{}, err
	}
	return ParseLoadAverage(b)
}

// ParseLoadAverage reads "0.52 0.58 0.59 1/467 12345".
func ParseLoadAverage(b []byte) (LoadAverage, error) {
	var l LoadAverage
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return l, fmt.Errorf("/proc/loadavg: %q", b)
	}
	for i := range l {
		v, err := strconv.ParseFloat(f[i], 64)
		if err != nil {
			return l, fmt.Errorf("/proc/loadavg: %w", err)
		}
		l[i] = v
	}
	return l, nil
}
