package metrics

import (
	"bytes"
	"os"
	"strconv"
	"syscall"

	"github.com/prometheus/client_golang/prometheus"

	"periodic.dev/runner/internal/procstat"
)

// processCollector serves the process metrics named as client_golang's own process
// collector names them, from a system call or a read of a few bytes each: that collector
// parses several /proc files per scrape (about 120 KB allocated each time, in a process
// whose heap target is 2 MiB) and links a /proc parsing library into the binary.
type processCollector struct {
	cpu, resident, virtual, start, openFDs, maxFDs *prometheus.Desc
	startTime                                      float64 // 0: unknown, not served
}

func newProcessCollector() *processCollector {
	d := func(name, help string) *prometheus.Desc { return prometheus.NewDesc(name, help, nil, nil) }
	return &processCollector{
		cpu:       d("process_cpu_seconds_total", "Total user and system CPU time spent in seconds."),
		resident:  d("process_resident_memory_bytes", "Resident memory size in bytes."),
		virtual:   d("process_virtual_memory_bytes", "Virtual memory size in bytes."),
		start:     d("process_start_time_seconds", "Start time of the process since unix epoch in seconds."),
		openFDs:   d("process_open_fds", "Number of open file descriptors."),
		maxFDs:    d("process_max_fds", "Maximum number of open file descriptors."),
		startTime: processStart(),
	}
}

func (c *processCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.cpu, c.resident, c.virtual, c.start, c.openFDs, c.maxFDs} {
		ch <- d
	}
}

// Collect sends what could be read; a metric whose source failed is left out this scrape.
func (c *processCollector) Collect(ch chan<- prometheus.Metric) {
	gauge := func(d *prometheus.Desc, v float64) { ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v) }
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		cpu := float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
		ch <- prometheus.MustNewConstMetric(c.cpu, prometheus.CounterValue, cpu)
	}
	var buf [128]byte
	if statm, ok := readSmall("/proc/self/statm", buf[:]); ok { // size resident shared … in pages
		if f := bytes.Fields(statm); len(f) >= 2 {
			page := float64(os.Getpagesize())
			if v, err := strconv.ParseUint(string(f[1]), 10, 64); err == nil {
				gauge(c.resident, float64(v)*page)
			}
			if v, err := strconv.ParseUint(string(f[0]), 10, 64); err == nil {
				gauge(c.virtual, float64(v)*page)
			}
		}
	}
	if c.startTime > 0 {
		gauge(c.start, c.startTime)
	}
	if d, err := os.Open("/proc/self/fd"); err == nil {
		names, err := d.Readdirnames(-1)
		d.Close()
		if err == nil {
			gauge(c.openFDs, float64(len(names)-1)) // less the one reading
		}
	}
	var lim syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim) == nil {
		gauge(c.maxFDs, float64(lim.Cur))
	}
}

// userHZ is the unit of the clock ticks in /proc (sysconf(_SC_CLK_TCK), 100 on Linux).
const userHZ = 100

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
	f, err := procstat.Fields("self")
	const startField = 22 - 3
	if err != nil || len(f) <= startField {
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
