package schedule

import (
	"testing"
	"time"
)

func TestWithOffsetOnCron(t *testing.T) {
	c, err := Cron("0 * * * *", "UTC")
	if err != nil {
		t.Fatal(err)
	}
	s := WithOffset(c, 90*time.Second)
	got := s.Next(ts("2024-07-01T00:00:30Z"))
	if want := ts("2024-07-01T00:01:30Z"); !got.Equal(want) {
		t.Fatalf("Next = %v, want %v", got, want)
	}
	if got := s.Next(ts("2024-07-01T00:01:30Z")); !got.Equal(ts("2024-07-01T01:01:30Z")) {
		t.Fatalf("Next after a slot = %v", got)
	}
}

func TestWithZeroOffsetIsIdentity(t *testing.T) {
	r, _ := FixedRate(time.Second)
	if WithOffset(r, 0) != r {
		t.Fatal("WithOffset(s, 0) wrapped s")
	}
}
