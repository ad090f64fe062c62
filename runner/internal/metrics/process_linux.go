package metrics

import (
	"bytes"
	"os"
	"strconv"
	"syscall"
)

// The process's own metrics, named as client_golang's process collector names them.
const (
	cpuName      = "process_cpu_seconds_total"
	cpuHelp      = "User and system CPU time the process has spent, in seconds."
	residentName = "process_resident_memory_bytes"
	residentHelp = "Resident memory size in bytes."
	virtualName  = "process_virtual_memory_bytes"
	virtualHelp  = "Virtual memory size in bytes."
	startName    = "process_start_time_seconds"
	startHelp    = "Start time of the process since the Unix epoch in seconds."
	openFDsName  = "process_open_fds"
	openFDsHelp  = "Number of open file descriptors."
	maxFDsName   = "process_max_fds"
	maxFDsHelp   = "Maximum number of open file descriptors (the soft limit)."
)

// userHZ is the unit of the clock ticks in /proc (sysconf(_SC_CLK_TCK), 100 on Linux).
const userHZ = 100

// appendProcess writes the process metrics that could be read; start is the process's
// start time (0: unknown, not written). A system call or a read of a few bytes each.
func appendProcess(b []byte, start float64) []byte {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		cpu := float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
		b = appendSample(appendHeader(b, cpuName, "counter", cpuHelp), cpuName, "", "", cpu)
	}
	var buf [128]byte
	if statm, ok := readSmall("/proc/self/statm", buf[:]); ok { // size resident shared … in pages
		if f := bytes.Fields(statm); len(f) >= 2 {
			page := float64(os.Getpagesize())
			if v, err := strconv.ParseUint(string(f[1]), 10, 64); err == nil {
				b = appendGauge(b, residentName, residentHelp, float64(v)*page)
			}
			if v, err := strconv.ParseUint(string(f[0]), 10, 64); err == nil {
				b = appendGauge(b, virtualName, virtualHelp, float64(v)*page)
			}
		}
	}
	if start > 0 {
		b = appendGauge(b, startName, startHelp, start)
	}
	if d, err := os.Open("/proc/self/fd"); err == nil {
		names, err := d.Readdirnames(-1)
		d.Close()
		if err == nil {
			b = appendGauge(b, openFDsName, openFDsHelp, float64(len(names)-1)) // less the one reading
		}
	}
	var lim syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim) == nil {
		b = appendGauge(b, maxFDsName, maxFDsHelp, float64(lim.Cur))
	}
	return b
}

// readSmall reads a file of at most len(buf) bytes into buf.
func readSmall(path string, buf []byte) ([]byte, bool) {
	fd, err := syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return nil, false
	}
	defer syscall.Close(fd)
	n, err := syscall.Read(fd, buf)
	if err != nil || n <= 0 || n == len(buf) {
		return nil, false
	}
	return buf[:n], true
}

// processStart is when the process started, in seconds since the Unix epoch: the boot
// time (btime in /proc/stat) plus the start in clock ticks after boot (the 22nd field of
// /proc/self/stat). 0 when either cannot be read.
func processStart() float64 {
	stat, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		return 0
	}
	// The command name (field 2) is in parentheses and may hold anything: fields after it
	// are counted from the last ')', which is followed by field 3.
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 {
		return 0
	}
	f := bytes.Fields(stat[i+1:])
	const startField = 22 - 3
	if len(f) <= startField {
		return 0
	}
	ticks, err := strconv.ParseUint(string(f[startField]), 10, 64)
	if err != nil {
		return 0
	}
	sys, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	for line := range bytes.Lines(sys) {
		if rest, ok := bytes.CutPrefix(line, []byte("btime ")); ok {
			boot, err := strconv.ParseUint(string(bytes.TrimSpace(rest)), 10, 64)
			if err != nil {
				return 0
			}
			return float64(boot) + float64(ticks)/userHZ
		}
	}
	return 0
}
