package checkpoint

import (
	"maps"
	"strings"
	"testing"
	"time"

	"periodic.dev/runner/internal/result"
)

func TestAnnotationsRoundTrip(t *testing.T) {
	s := State{LastSlot: t0.Add(100 * time.Millisecond), LastSuccess: t0.Add(time.Second), LastResult: result.Success}
	a := s.Annotations()
	want := map[string]string{
		"periodic.dev/last-slot": "2024-07-01T00:00:00.1Z", "periodic.dev/last-success": "2024-07-01T00:00:01Z",
		"periodic.dev/last-result": "success",
	}
	if !maps.Equal(a, want) {
		t.Fatalf("annotations %v, want %v", a, want)
	}
	back, err := FromAnnotations(maps.Collect(maps.All(a)))
	if err != nil || back != s {
		t.Fatalf("FromAnnotations = %+v, %v", back, err)
	}
}

func TestFromAnnotationsRefuses(t *testing.T) {
	for _, a := range []map[string]string{
		{"periodic.dev/last-slot": "yesterday"},
		{"periodic.dev/last-result": "skipped"},
	} {
		if _, err := FromAnnotations(a); err == nil || !strings.Contains(err.Error(), "annotation periodic.dev/") {
			t.Errorf("FromAnnotations(%v) = %v", a, err)
		}
	}
	if s, err := FromAnnotations(map[string]string{"other": "x"}); err != nil || s != (State{}) {
		t.Errorf("unrelated annotations: %+v, %v", s, err)
	}
}
