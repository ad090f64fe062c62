package slots

import (
	"testing"
	"time"
)

func TestGrid(t *testing.T) {
	base := time.Date(2025, 12, 3, 14, 0, 0, 0, time.UTC)
	at := func(d time.Duration) time.Time { return base.Add(d) }
	g := Grid{Period: 100 * time.Millisecond, Offset: 50 * time.Millisecond}
	for _, tc := range []struct {
		name          string
		t             time.Time
		next, nearest time.Time
	}{
		{"on a slot: next is the one after", at(50 * time.Millisecond), at(150 * time.Millisecond), at(50 * time.Millisecond)},
		{"just late", at(51 * time.Millisecond), at(150 * time.Millisecond), at(50 * time.Millisecond)},
		{"just early", at(149 * time.Millisecond), at(150 * time.Millisecond), at(150 * time.Millisecond)},
		{"before the offset", at(10 * time.Millisecond), at(50 * time.Millisecond), at(50 * time.Millisecond)},
		{"half way: the later", at(100 * time.Millisecond), at(150 * time.Millisecond), at(150 * time.Millisecond)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := g.Next(tc.t); !got.Equal(tc.next) {
				t.Errorf("Next = %v, want %v", got, tc.next)
			}
			if got := g.Nearest(tc.t); !got.Equal(tc.nearest) {
				t.Errorf("Nearest = %v, want %v", got, tc.nearest)
			}
		})
	}
}

func TestGridBeforeEpoch(t *testing.T) {
	g := Grid{Period: time.Second}
	if got, want := g.Next(time.Unix(-1, 500_000_000)), time.Unix(0, 0).UTC(); !got.Equal(want) {
		t.Errorf("Next before the epoch = %v, want %v", got, want)
	}
}
