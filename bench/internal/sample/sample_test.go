package sample

import (
	"testing"
	"time"

	"periodic.dev/bench/internal/probeline"
)

func TestParse(t *testing.T) {
	slot := time.Date(2025, 12, 3, 14, 0, 0, 250_000_000, time.UTC)
	for _, tc := range []struct {
		name  string
		line  string
		class Class
		want  Sample
	}{
		{"ticker run line",
			`{"time":"2025-12-03T14:00:00.3Z","level":"INFO","msg":"run","slot":"2025-12-03T14:00:00.25Z","attempt":1,"result":"success","duration":0.0012,"lateness":0.000061234,"code":0}`,
			IsSample, Sample{Kind: Launch, Slot: slot, Lateness: 61234 * time.Nanosecond, Attempt: 1, Result: "success"}},
		{"skipped slot",
			`{"level":"INFO","msg":"run","slot":"2025-12-03T14:00:00.25Z","attempt":0,"result":"skipped","duration":0,"lateness":0.01}`,
			IsSample, Sample{Kind: Launch, Slot: slot, Lateness: 10 * time.Millisecond, Result: "skipped"}},
		{"slots slept through",
			`{"level":"INFO","msg":"run","slot":"2025-12-03T14:00:00.25Z","attempt":0,"result":"skipped","duration":0,"lateness":0.01,"slots":3}`,
			IsSample, Sample{Kind: Launch, Slot: slot, Lateness: 10 * time.Millisecond, Result: "skipped", Slots: 3}},
		{"catch-up run",
			`{"msg":"run","slot":"2025-12-03T14:00:00.25Z","attempt":1,"result":"success","lateness":3.5,"catch_up":true}`,
			IsSample, Sample{Kind: Launch, Slot: slot, Lateness: 3500 * time.Millisecond, Attempt: 1, Result: "success", CatchUp: true}},
		{"early wake-up",
			`{"msg":"wake","method":"gotimer","slot":"2025-12-03T14:00:00.25Z","lateness":-0.000002}`,
			IsSample, Sample{Kind: Wake, Slot: slot, Lateness: -2 * time.Microsecond, Method: "gotimer"}},
		{"probe line", "probe 2025-12-03T14:00:00.25Z 812345\n",
			IsSample, Sample{Kind: Child, Slot: slot, Lateness: 812345 * time.Nanosecond}},
		{"start message", `{"level":"INFO","msg":"ticker started","schedule":"every 100ms"}`, IsInfo, Sample{}},
		{"warning", `{"level":"WARN","msg":"checkpoint not saved"}`, IsOther, Sample{}},
		{"not JSON", "panic: oops", IsOther, Sample{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, class, err := Parse([]byte(tc.line))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if class != tc.class || got != tc.want {
				t.Errorf("Parse = %+v, %v; want %+v, %v", got, class, tc.want, tc.class)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	for _, line := range []string{
		"probe 2025-12-03T14:00:00Z",
		"probe yesterday 12",
		"probe 2025-12-03T14:00:00Z 1.5",
		`{"msg":"run","slot":"2025-12-03T14:00:00Z"}`,
		`{"msg":"wake","slot":"noon","lateness":0}`,
	} {
		if _, class, err := Parse([]byte(line)); err == nil || class != IsOther {
			t.Errorf("Parse(%q) = %v, %v; want an error", line, class, err)
		}
	}
}

func TestProbeLineRoundTrip(t *testing.T) {
	line := probeline.Append(nil, "2025-12-03T14:00:00.25Z", -1500*time.Nanosecond)
	if string(line) != "probe 2025-12-03T14:00:00.25Z -1500\n" {
		t.Fatalf("probeline.Append = %q", line)
	}
	s, class, err := Parse(line)
	if err != nil || class != IsSample || s.Lateness != -1500*time.Nanosecond || s.Kind != Child {
		t.Errorf("Parse(probeline.Append) = %+v, %v, %v", s, class, err)
	}
}
