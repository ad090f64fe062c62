package proc

import (
	"fmt"
	"os"
	"testing"

	"periodic.dev/runner/internal/waitfor"
)

// TestMain makes the test binary a subreaper, as cmd/ticker makes the runner.
func TestMain(m *testing.M) {
	if err := BecomeSubreaper(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(m.Run())
}

func TestOrphanIsReparentedToUs(t *testing.T) {
	pidfile := t.TempDir() + "/pid"
	g := startSh(t, `sleep 60 & echo $! > "`+pidfile+`"`)
	waitExited(t, g)
	orphan := waitfor.Pid(t, pidfile)
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", orphan))
	if err != nil {
		t.Fatal(err)
	}
	// pid (comm) state ppid …; comm is "sleep", without spaces.
	var pid, ppid int
	var comm, state string
	if _, err := fmt.Sscanf(string(stat), "%d %s %s %d", &pid, &comm, &state, &ppid); err != nil {
		t.Fatal(err)
	}
	if ppid != os.Getpid() {
		t.Fatalf("orphan %d has parent %d, want us (%d)", orphan, ppid, os.Getpid())
	}
}
