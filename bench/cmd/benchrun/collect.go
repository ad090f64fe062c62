package main

import (
	"fmt"
	"io"
	"sync"

	"periodic.dev/bench/internal/sample"
)

// collector gathers the samples one process writes; lines that are not samples nor plain
// log messages are shown on stderr, prefixed with the process's name, and malformed
// sample lines are counted as broken.
type collector struct {
	name   string
	out    io.Writer
	mu     sync.Mutex
	all    []sample.Sample
	broken []error
}

func (c *collector) line(b []byte) {
	s, class, err := sample.Parse(b)
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case err != nil:
		c.broken = append(c.broken, fmt.Errorf("%s: %w", c.name, err))
	case class == sample.IsSample:
		c.all = append(c.all, s)
	case class == sample.IsOther:
		fmt.Fprintf(c.out, "[%s] %s\n", c.name, b)
	}
}

// samples returns what was gathered, and the malformed lines.
func (c *collector) samples() ([]sample.Sample, []error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]sample.Sample(nil), c.all...), append([]error(nil), c.broken...)
}
