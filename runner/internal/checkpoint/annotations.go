package checkpoint

import (
	"fmt"
	"time"

	"periodic.dev/runner/internal/result"
)

// The Lease annotations the runner writes; the operator mirrors them into the task's status.
const (
	AnnotationLastSlot    = "periodic.dev/last-slot"    // RFC 3339 (UTC, fractions as needed)
	AnnotationLastSuccess = "periodic.dev/last-success" // RFC 3339
	AnnotationLastFailure = "periodic.dev/last-failure" // RFC 3339
	AnnotationLastResult  = "periodic.dev/last-result"  // success | failure | timeout
)

// Annotations returns the state as annotations; unknown fields are left out.
func (s State) Annotations() map[string]string {
	a := map[string]string{}
	put := func(key string, t time.Time) {
		if !t.IsZero() {
			a[key] = t.UTC().Format(time.RFC3339Nano)
		}
	}
	put(AnnotationLastSlot, s.LastSlot)
	put(AnnotationLastSuccess, s.LastSuccess)
	put(AnnotationLastFailure, s.LastFailure)
	if s.LastResult != "" {
		a[AnnotationLastResult] = string(s.LastResult)
	}
	return a
}

// FromAnnotations reads the state from annotations (others are ignored).
func FromAnnotations(a map[string]string) (State, error) {
	var s State
	for key, dst := range map[string]*time.Time{
		AnnotationLastSlot: &s.LastSlot, AnnotationLastSuccess: &s.LastSuccess, AnnotationLastFailure: &s.LastFailure,
	} {
		v, ok := a[key]
		if !ok {
			continue
		}
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			return State{}, fmt.Errorf("annotation %s: %w", key, err)
		}
		*dst = t
	}
	if v, ok := a[AnnotationLastResult]; ok {
		switch k := result.Kind(v); k {
		case result.Success, result.Failure, result.Timeout:
			s.LastResult = k
		default:
			return State{}, fmt.Errorf("annotation %s: %q is not success, failure or timeout", AnnotationLastResult, v)
		}
	}
	return s, nil
}
