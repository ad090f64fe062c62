package vectors

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/robfig/cron/v3"
)

var update = flag.Bool("update", false, "rewrite the expected times in "+vectorsPath+" from robfig/cron")

// vectorsPath is relative to this package's directory, where `go test` runs.
const vectorsPath = "../../../tests/vectors/schedule.json"

// vector is one shared case: the fire times after Start, in Zone, as RFC 3339 UTC instants.
// Exhausted means robfig returns the zero time after the last of Next (its 5-year limit).
type vector struct {
	ID         string   `json:"id"`
	Expression string   `json:"expression"`
	Zone       string   `json:"zone"`
	Start      string   `json:"start"`
	Next       []string `json:"next"`
	Exhausted  bool     `json:"exhausted,omitempty"`
}

// parse reads expression the way the executors do: the standard parser (5 fields or a
// macro, as the CronJob controller) or seconds first for 6 fields (as the ticker), with the
// zone given as a TZ= prefix, the form the CronJob controller builds from spec.timeZone.
func parse(expression, zone string) (cron.Schedule, error) {
	spec := "TZ=" + zone + " " + expression
	if len(strings.Fields(expression)) == 6 {
		parser := cron.NewParser(cron.Second | cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)
		return parser.Parse(spec)
	}
	return cron.ParseStandard(spec)
}

// fireTimes returns up to count fire times after start, and whether robfig ran out first.
func fireTimes(v vector, count int) ([]string, bool, error) {
	schedule, err := parse(v.Expression, v.Zone)
	if err != nil {
		return nil, false, fmt.Errorf("parse %q in %s: %w", v.Expression, v.Zone, err)
	}
	t, err := time.Parse(time.RFC3339Nano, v.Start)
	if err != nil {
		return nil, false, fmt.Errorf("start %q: %w", v.Start, err)
	}
	var times []string
	for len(times) < count {
		t = schedule.Next(t)
		if t.IsZero() {
			return times, true, nil
		}
		times = append(times, t.UTC().Format(time.RFC3339))
	}
	return times, false, nil
}

func load(t *testing.T) []vector {
	t.Helper()
	data, err := os.ReadFile(vectorsPath)
	if err != nil {
		t.Fatalf("read vectors: %v", err)
	}
	var vectors []vector
	if err := json.Unmarshal(data, &vectors); err != nil {
		t.Fatalf("decode %s: %v", vectorsPath, err)
	}
	if len(vectors) == 0 {
		t.Fatalf("%s holds no vectors", vectorsPath)
	}
	return vectors
}

func TestVectors(t *testing.T) {
	vectors := load(t)
	if *update {
		rewrite(t, vectors)
		return
	}
	seen := map[string]bool{}
	for _, v := range vectors {
		t.Run(v.ID, func(t *testing.T) {
			if seen[v.ID] {
				t.Fatalf("duplicate id %q", v.ID)
			}
			seen[v.ID] = true
			// One more than listed for an exhausted vector: robfig must find nothing there.
			count := len(v.Next)
			if v.Exhausted {
				count++
			}
			got, exhausted, err := fireTimes(v, count)
			if err != nil {
				t.Fatal(err)
			}
			if exhausted != v.Exhausted || strings.Join(got, " ") != strings.Join(v.Next, " ") {
				t.Errorf("%q in %s after %s:\n got  %v (exhausted %v)\n want %v (exhausted %v)",
					v.Expression, v.Zone, v.Start, got, exhausted, v.Next, v.Exhausted)
			}
		})
	}
}

// rewrite fills each vector's Next from robfig, keeping its count (at least 1).
func rewrite(t *testing.T, vectors []vector) {
	t.Helper()
	for i := range vectors {
		count := max(len(vectors[i].Next), 1)
		got, exhausted, err := fireTimes(vectors[i], count)
		if err != nil {
			t.Fatalf("%s: %v", vectors[i].ID, err)
		}
		if got == nil {
			got = []string{}
		}
		vectors[i].Next, vectors[i].Exhausted = got, exhausted
	}
	var out bytes.Buffer
	encoder := json.NewEncoder(&out)
	encoder.SetIndent("", "  ")
	encoder.SetEscapeHTML(false)
	if err := encoder.Encode(vectors); err != nil {
		t.Fatalf("encode: %v", err)
	}
	if err := os.WriteFile(vectorsPath, out.Bytes(), 0o644); err != nil {
		t.Fatalf("write %s: %v", vectorsPath, err)
	}
	t.Logf("rewrote %d vectors in %s", len(vectors), vectorsPath)
}

// TestRobfigRefuses pins what the operator refuses because the executors refuse it too.
func TestRobfigRefuses(t *testing.T) {
	for _, expression := range []string{
		"0 0 8-9 * 0#2", // Quartz nth weekday
		"0 0 * * L5",    // Quartz last weekday
		"0 0 15W * *",   // Quartz nearest weekday
		"0 0 L * *",     // Quartz last day
		"0 0 * * 7",     // robfig's day-of-week is 0-6
		"60 * * * *",
		"0 24 * * *",
		"0 0 0 * *",
		"0 0 * 13 *",
		"@DAILY", // descriptors are lowercase
		"@reboot",
		"* * * *",
		"5-3 * * * *",
		"*/0 * * * *",
	} {
		if _, err := cron.ParseStandard(expression); err == nil {
			t.Errorf("robfig accepts %q; the operator refuses it", expression)
		}
	}
}

// TestRobfigNeverFires pins that robfig parses these but finds no fire time (Next gives the
// zero time), which is why the operator refuses them as "can never fire".
func TestRobfigNeverFires(t *testing.T) {
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, expression := range []string{"0 0 30 2 *", "0 0 31 4 *", "0 0 31 2,4,6,9,11 *"} {
		schedule, err := cron.ParseStandard(expression)
		if err != nil {
			t.Fatalf("parse %q: %v", expression, err)
		}
		if next := schedule.Next(start); !next.IsZero() {
			t.Errorf("%q fires at %v", expression, next)
		}
	}
}
