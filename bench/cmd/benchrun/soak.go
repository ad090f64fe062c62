package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"syscall"
	"time"

	"periodic.dev/bench/internal/procstat"
	"periodic.dev/bench/internal/report"
	"periodic.dev/bench/internal/sample"
)

// soak runs the ticker alone, as deployed (metrics served on a port and scraped), for long
// enough that its heap reaches the garbage collector's steady state, and follows its
// resident set: a 60 s condition ends before the first collection at 100 ms slots.
type soak struct {
	cfg    config
	period time.Duration
}

// scrapeEvery is how often the soak reads /metrics, as a Prometheus would.
const scrapeEvery = 10 * time.Second

func (s soak) run(ctx context.Context) (report.Soak, error) {
	out := report.Soak{Slot: s.period.String(), Seconds: s.cfg.soakSeconds, ScrapeEvery: scrapeEvery.String()}
	addr, err := freeAddr()
	if err != nil {
		return out, err
	}
	col := &collector{name: "ticker@soak", out: s.cfg.stderr}
	c, err := startChild(col.name, s.cfg.bin("ticker"), []string{"--interval", s.period.String(), "--timeout", "5s",
		"--kill-grace", "1s", "--listen", addr, "--", s.cfg.bin(s.cfg.probe)}, col.line)
	if err != nil {
		return out, err
	}
	start := time.Now()
	errs := []error{s.follow(ctx, c, "http://"+addr+"/metrics", start, &out)}
	errs = append(errs, c.stop(syscall.SIGTERM, stopGrace))
	samples, broken := col.samples()
	for _, x := range samples {
		if x.Kind == sample.Launch {
			out.Runs++
		}
	}
	return out, errors.Join(append(errs, broken...)...)
}

// follow reads the resident set every second and scrapes every scrapeEvery until the soak
// is over, ctx is done or the ticker dies.
func (s soak) follow(ctx context.Context, c *child, metrics string, start time.Time, out *report.Soak) error {
	end := start.Add(time.Duration(s.cfg.soakSeconds) * time.Second)
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	client := &http.Client{Timeout: 5 * time.Second}
	var use report.MemoryUse
	for now := start; now.Before(end); now = time.Now() {
		if err := c.diedEarly(); err != nil {
			return err
		}
		if m, err := procstat.ReadMemory(c.Pid()); err == nil {
			use.Observe(m)
			elapsed := int(now.Sub(start).Round(time.Second) / time.Second)
			if elapsed > 0 && elapsed%10 == 0 {
				out.Series = append(out.Series, report.RSSAt{Second: elapsed, RSSMiB: float64(m.RSS) / (1 << 20)})
			}
			out.FinalMiB = float64(m.RSS) / (1 << 20)
		}
		if int(now.Sub(start)/time.Second)%int(scrapeEvery/time.Second) == 5 { // 5 s in, then every 10 s
			if err := scrape(client, metrics); err != nil {
				out.ScrapeErrors++
			} else {
				out.Scrapes++
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("interrupted: %w", ctx.Err())
		case <-tick.C:
		}
	}
	out.MaxRSSMiB, out.PeakMiB = float64(use.MaxRSS)/(1<<20), float64(use.Peak)/(1<<20)
	return nil
}

func scrape(client *http.Client, url string) error {
	resp, err := client.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return nil
}

// freeAddr returns a loopback address with a port free a moment ago.
func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("free port: %w", err)
	}
	defer l.Close()
	return "127.0.0.1:" + strconv.Itoa(l.Addr().(*net.TCPAddr).Port), nil
}
