package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"periodic.dev/runner/internal/clock"
	"periodic.dev/runner/internal/config"
	"periodic.dev/runner/internal/lease/leasetest"
	"periodic.dev/runner/internal/trigger"
	"periodic.dev/runner/internal/waitfor"
)

// syncBuffer is a bytes.Buffer safe for the log writer and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func parse(t *testing.T, args ...string) config.Config {
	t.Helper()
	cfg, err := config.Parse(args, noEnv)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// started runs run in the background and returns the address it serves and a stop
// function that cancels it and returns its error.
func started(t *testing.T, cfg config.Config, d deps) (string, func() error) {
	t.Helper()
	addr := make(chan string, 1)
	d.onListen = func(a string) { addr <- a }
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- run(ctx, cfg, d) }()
	var a string
	select {
	case a = <-addr:
	case err := <-errc:
		t.Fatalf("run ended at start: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("run did not start serving")
	}
	var once sync.Once
	var err error
	stop := func() error {
		once.Do(func() {
			cancel()
			select {
			case err = <-errc:
			case <-time.After(30 * time.Second):
				t.Fatal("run did not return")
			}
		})
		return err
	}
	t.Cleanup(func() { stop() })
	return a, stop
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func lines(file string) []string {
	b, _ := os.ReadFile(file)
	return strings.Fields(string(b))
}

// TestExecEndToEnd runs real commands at 100ms slots: each slot once, aligned to the
// epoch, in order, never overlapping (a mkdir lock the command holds while it runs).
func TestExecEndToEnd(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "slots")
	script := `mkdir "$0/lock" || echo OVERLAP >> "$1"; echo "$PERIODIC_SLOT/$PERIODIC_ATTEMPT/$PERIODIC_TASK" >> "$1"; sleep 0.03; rmdir "$0/lock"`
	state := filepath.Join(dir, "state") // created by the runner
	cfg := parse(t, "--interval", "100ms", "--timeout", "5s", "--task", "ns/demo", "--state-dir", state, "--missed-runs", "RunOnce",
		"--listen", "127.0.0.1:0", "--", "sh", "-c", script, dir, out)
	var logs syncBuffer
	addr, stop := started(t, cfg, deps{clock: clock.Real{}, stderr: &logs, getenv: noEnv})
	waitfor.Until(t, "six runs", func() bool { return len(lines(out)) >= 6 })
	if code, body := get(t, "http://"+addr+"/healthz"); code != 200 {
		t.Fatalf("/healthz %d %s", code, body)
	}
	if code, body := get(t, "http://"+addr+"/readyz"); code != 200 {
		t.Fatalf("/readyz %d %s", code, body)
	}
	_, metrics := get(t, "http://"+addr+"/metrics")
	if !strings.Contains(metrics, `periodic_ticker_runs_total{result="success"}`) || strings.Contains(metrics, `periodic_ticker_runs_total{result="success"} 0`) {
		t.Fatalf("no successes in /metrics:\n%s", metrics)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	got := lines(out)
	var slots []time.Time
	for _, l := range got {
		if l == "OVERLAP" {
			t.Fatalf("runs overlapped: %q", got)
		}
		parts := strings.Split(l, "/")
		if len(parts) != 4 || parts[1] != "1" || parts[2]+"/"+parts[3] != "ns/demo" {
			t.Fatalf("line %q", l)
		}
		s, err := time.Parse(time.RFC3339Nano, parts[0])
		if err != nil {
			t.Fatal(err)
		}
		if s.UnixNano()%int64(100*time.Millisecond) != 0 {
			t.Fatalf("slot %v not on the 100ms grid", s)
		}
		slots = append(slots, s)
	}
	if !slices.IsSortedFunc(slots, func(a, b time.Time) int { return a.Compare(b) }) || len(slices.Compact(slices.Clone(slots))) != len(slots) {
		t.Fatalf("slots not strictly increasing: %v", slots)
	}
	// Without a Lease the checkpoint is the state-dir file.
	if b, err := os.ReadFile(filepath.Join(state, ".ticker-checkpoint.json")); err != nil || !strings.Contains(string(b), `"periodic.dev/last-result":"success"`) {
		t.Fatalf("checkpoint file: %s, %v", b, err)
	}
	// One JSON line per run on stderr.
	if n := strings.Count(logs.String(), `"msg":"run"`); n < len(slots) {
		t.Fatalf("%d run lines for %d runs:\n%s", n, len(slots), logs.String())
	}
}

// TestLeaseEndToEnd: with --lease, runs happen under the Lease, the checkpoint annotations
// are written on renewals, and SIGTERM (cancel) releases the Lease after the runs end.
func TestLeaseEndToEnd(t *testing.T) {
	api := leasetest.New(t, map[string]any{"holderIdentity": ""})
	out := filepath.Join(t.TempDir(), "slots")
	cfg := parse(t, "--interval", "100ms", "--timeout", "1s", "--kill-grace", "100ms", "--missed-runs", "RunOnce",
		"--lease", "ns/demo", "--lease-duration", "1s", "--renew-deadline", "500ms", "--listen", "127.0.0.1:0",
		"--", "sh", "-c", `echo "$PERIODIC_SLOT" >> "$0"`, out)
	env := map[string]string{"PERIODIC_API_SERVER": api.URL(), "PERIODIC_TOKEN_FILE": api.TokenFile(t), config.EnvPodName: "pod-a"}
	_, stop := started(t, cfg, deps{clock: clock.Real{}, stderr: io.Discard, getenv: func(k string) string { return env[k] }})
	waitfor.Until(t, "the Lease held by this runner", func() bool { return strings.HasPrefix(api.Holder(), "pod-a_") })
	waitfor.Until(t, "runs recorded in the annotations", func() bool {
		a := api.Annotations()
		return a["periodic.dev/last-result"] == "success" && a["periodic.dev/last-slot"] != nil && a["periodic.dev/last-success"] != nil
	})
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if h := api.Holder(); h != "" {
		t.Fatalf("holder %q after shutdown, want released", h)
	}
	ran := lines(out)
	if last := api.Annotations()["periodic.dev/last-slot"]; last != ran[len(ran)-1] {
		t.Fatalf("last-slot %v, last run %v", last, ran[len(ran)-1])
	}
}

// hangingTrigger starts runs that end only when released: a stuck ticker.
type hangingTrigger struct{ release chan struct{} }

type hangingRun struct{ release chan struct{} }

func (h hangingTrigger) Start(context.Context, trigger.Attempt) (trigger.Execution, error) {
	return hangingRun(h), nil
}

func (r hangingRun) Wait() trigger.Outcome { <-r.release; return trigger.Outcome{} }

// TestHealthzFailsWhenARunHangs: the run ignores its deadline (as a process stuck in the
// kernel would); /healthz turns 503 once schedule + deadlines + margin have passed.
func TestHealthzFailsWhenARunHangs(t *testing.T) {
	t0 := time.Date(2024, 7, 1, 0, 0, 0, 500_000_000, time.UTC)
	fake := clock.NewFake(t0)
	hang := hangingTrigger{release: make(chan struct{})}
	cfg := parse(t, "--interval", "1s", "--timeout", "2s", "--kill-grace", "1s", "--listen", "127.0.0.1:0", "--", "true")
	addr, stop := started(t, cfg, deps{clock: fake, stderr: io.Discard, getenv: noEnv, trigger: hang})
	var releaseOnce sync.Once
	release := func() { releaseOnce.Do(func() { close(hang.release) }) }
	t.Cleanup(release) // before stop, which waits for the run
	step := func(to time.Time) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := fake.AwaitWaiter(ctx, func(w time.Time) bool { return !w.After(to) }); err != nil {
			t.Fatalf("nothing waits until %v", to)
		}
		fake.Set(to)
	}
	slot1 := t0.Add(500 * time.Millisecond)
	step(slot1) // the run starts and hangs
	// Healthy until the slot + 1 attempt × (2s + 1s) + 5s margin.
	fake.Set(slot1.Add(8 * time.Second))
	if code, body := get(t, "http://"+addr+"/healthz"); code != 200 {
		t.Fatalf("/healthz %d %s before the budget is spent", code, body)
	}
	fake.Set(slot1.Add(8*time.Second + 100*time.Millisecond))
	if code, body := get(t, "http://"+addr+"/healthz"); code != 503 || !strings.Contains(body, "stuck") {
		t.Fatalf("/healthz %d %q, want 503 stuck", code, body)
	}
	release() // the run ends at last: healthy again
	waitfor.Until(t, "healthy after the run ended", func() bool { code, _ := get(t, "http://"+addr+"/healthz"); return code == 200 })
	if err := stop(); err != nil {
		t.Fatal(err)
	}
}

// TestRunOnceCatchesUpAfterARestart: a runner stopped for several slots runs the latest
// missed slot once when it starts again (state-dir checkpoint), then goes on with the grid.
func TestRunOnceCatchesUpAfterARestart(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "slots")
	cfg := parse(t, "--interval", "100ms", "--timeout", "5s", "--state-dir", filepath.Join(dir, "state"), "--missed-runs", "RunOnce",
		"--listen", "127.0.0.1:0", "--", "sh", "-c", `echo "$PERIODIC_SLOT" >> "$0"`, out)
	_, stop := started(t, cfg, deps{clock: clock.Real{}, stderr: io.Discard, getenv: noEnv})
	waitfor.Until(t, "two runs", func() bool { return len(lines(out)) >= 2 })
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	before := lines(out)
	last, _ := time.Parse(time.RFC3339Nano, before[len(before)-1])
	time.Sleep(500 * time.Millisecond) // down for several slots (not a speed assertion)
	restart := time.Now()
	var logs syncBuffer
	_, stop = started(t, cfg, deps{clock: clock.Real{}, stderr: &logs, getenv: noEnv})
	up := time.Now() // the runner started between restart and up
	waitfor.Until(t, "runs after the restart", func() bool { return len(lines(out)) >= len(before)+2 })
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	catchUp, _ := time.Parse(time.RFC3339Nano, lines(out)[len(before)])
	// The latest slot before the runner's start: after the last run, not after up, and
	// less than one period before restart.
	if !catchUp.After(last) || catchUp.After(up) || !catchUp.After(restart.Add(-100*time.Millisecond)) {
		t.Fatalf("catch-up slot %v: want the latest slot before the start (last run %v, start in [%v, %v])", catchUp, last, restart, up)
	}
	if n := strings.Count(logs.String(), `"catch_up":true`); n != 1 {
		t.Fatalf("%d catch-up runs, want 1:\n%s", n, logs.String())
	}
}

// TestLostLeaseKillsTheRunInFlight: the API goes away during a run; once the renew
// deadline has passed the run's process group is stopped and nothing runs any more.
func TestLostLeaseKillsTheRunInFlight(t *testing.T) {
	api := leasetest.New(t, map[string]any{"holderIdentity": ""})
	dir := t.TempDir()
	pidfile, count := filepath.Join(dir, "pid"), filepath.Join(dir, "count")
	cfg := parse(t, "--interval", "100ms", "--timeout", "1m", "--kill-grace", "100ms",
		"--lease", "ns/demo", "--lease-duration", "1s", "--renew-deadline", "500ms", "--listen", "127.0.0.1:0",
		"--", "sh", "-c", `echo run >> "$1"; echo $$ > "$0"; exec sleep 60`, pidfile, count)
	env := map[string]string{"PERIODIC_API_SERVER": api.URL(), "PERIODIC_TOKEN_FILE": api.TokenFile(t)}
	var logs syncBuffer
	addr, stop := started(t, cfg, deps{clock: clock.Real{}, stderr: &logs, getenv: func(k string) string { return env[k] }})
	pid := waitfor.Pid(t, pidfile)
	api.SetDown(true)
	waitfor.Until(t, "the run killed after the lease was lost", func() bool { return syscall.Kill(pid, 0) == syscall.ESRCH })
	waitfor.Until(t, "its line logged", func() bool { return strings.Contains(logs.String(), "lease lost") })
	runs := len(lines(count))
	time.Sleep(500 * time.Millisecond) // five slots without the Lease (not a speed assertion)
	if n := len(lines(count)); n != runs {
		t.Fatalf("%d runs started without the Lease", n-runs)
	}
	if code, body := get(t, "http://"+addr+"/healthz"); code != 200 {
		t.Fatalf("/healthz %d %s: a runner without the Lease is healthy", code, body)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
}

// TestNotReadyFromTheFirstSignal: after SIGTERM the runner waits for its run in flight
// (up to its deadline) and serves meanwhile; /readyz must say so at once, not at the end.
func TestNotReadyFromTheFirstSignal(t *testing.T) {
	mark := filepath.Join(t.TempDir(), "started")
	cfg := parse(t, "--interval", "100ms", "--timeout", "5s", "--listen", "127.0.0.1:0",
		"--", "sh", "-c", `touch "$0"; sleep 1.5`, mark)
	addr := make(chan string, 1)
	d := deps{clock: clock.Real{}, stderr: io.Discard, getenv: noEnv, onListen: func(a string) { addr <- a }}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errc := make(chan error, 1)
	go func() { errc <- run(ctx, cfg, d) }()
	a := <-addr
	waitfor.Until(t, "a run in flight", func() bool { _, err := os.Stat(mark); return err == nil })
	if code, _ := get(t, "http://"+a+"/readyz"); code != 200 {
		t.Fatalf("/readyz %d before the signal", code)
	}
	cancel() // what SIGTERM does
	waitfor.Until(t, "/readyz not 200", func() bool { code, _ := get(t, "http://"+a+"/readyz"); return code != 200 })
	select {
	case err := <-errc:
		t.Fatalf("run returned (%v) before its run in flight ended: the check above proved nothing", err)
	default:
	}
	select {
	case err := <-errc:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("run did not return after its run ended")
	}
}
