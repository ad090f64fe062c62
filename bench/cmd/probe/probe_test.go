package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"periodic.dev/bench/internal/sample"
)

// The Go probe (this package) and the C one (bench/cprobe) must read PERIODIC_SLOT alike
// and write the same line. Built here; the C one only where a C compiler is found.
func probes(t *testing.T) map[string]string {
	dir := t.TempDir()
	out := map[string]string{}
	goProbe := filepath.Join(dir, "probe")
	if b, err := exec.Command("go", "build", "-o", goProbe, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, b)
	}
	out["go"] = goProbe
	if cc, err := exec.LookPath("cc"); err == nil {
		cProbe := filepath.Join(dir, "probe-c")
		if b, err := exec.Command(cc, "-O2", "-Wall", "-Werror", "-o", cProbe, "../../cprobe/probe.c").CombinedOutput(); err != nil {
			t.Fatalf("cc: %v\n%s", err, b)
		}
		out["c"] = cProbe
	} else {
		t.Log("no cc: the C probe is not tested")
	}
	return out
}

func runProbe(path, slot string) (string, error) {
	cmd := exec.Command(path)
	cmd.Env = append(os.Environ(), "PERIODIC_SLOT="+slot)
	b, err := cmd.Output()
	return string(b), err
}

func TestProbesReadTheSlot(t *testing.T) {
	for name, path := range probes(t) {
		for _, ago := range []time.Duration{time.Hour, 1500 * time.Millisecond, 123456789 * time.Nanosecond} {
			slot := time.Now().Add(-ago).UTC()
			s := slot.Format(time.RFC3339Nano)
			line, err := runProbe(path, s)
			if err != nil {
				t.Fatalf("%s probe, slot %s: %v", name, s, err)
			}
			x, class, err := sample.Parse([]byte(line))
			if err != nil || class != sample.IsSample || x.Kind != sample.Child || !x.Slot.Equal(slot) {
				t.Fatalf("%s probe line %q: %+v %v %v", name, line, x, class, err)
			}
			// Not a figure of speed: only that the slot was read right (no unit or zone error).
			if x.Lateness < ago || x.Lateness > ago+time.Minute {
				t.Errorf("%s probe: lateness %v for a slot %v ago", name, x.Lateness, ago)
			}
		}
	}
}

func TestProbesRefuseBadSlots(t *testing.T) {
	for name, path := range probes(t) {
		for _, s := range []string{"", "noon", "2025-12-03T14:00:00+01:00x"} {
			_, err := runProbe(path, s)
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != 2 {
				t.Errorf("%s probe, slot %q: %v, want exit 2", name, s, err)
			}
			if ee != nil && !strings.Contains(string(ee.Stderr), "PERIODIC_SLOT") {
				t.Errorf("%s probe, slot %q: stderr %q does not name PERIODIC_SLOT", name, s, ee.Stderr)
			}
		}
	}
}
