package result

import (
	"testing"
	"time"
)

func TestRecordDurations(t *testing.T) {
	slot := time.Date(2024, 7, 1, 0, 0, 0, 0, time.UTC)
	r := Record{Slot: slot, Start: slot.Add(700 * time.Microsecond), End: slot.Add(2 * time.Second)}
	if got := r.Lateness(); got != 700*time.Microsecond {
		t.Errorf("Lateness() = %v", got)
	}
	if got := r.Duration(); got != 2*time.Second-700*time.Microsecond {
		t.Errorf("Duration() = %v", got)
	}
}

func TestKindsAreTheMetricLabels(t *testing.T) {
	want := []Kind{"success", "failure", "timeout", "skipped"}
	got := Kinds()
	if len(got) != len(want) {
		t.Fatalf("Kinds() = %v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("Kinds() = %v, want %v", got, want)
		}
	}
}
