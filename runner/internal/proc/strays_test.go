package proc

import (
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"periodic.dev/runner/internal/procstat"
	"periodic.dev/runner/internal/waitfor"
)

// zombieChildren are our children that have exited and not been reaped.
func zombieChildren(t *testing.T) []int {
	t.Helper()
	var zs []int
	for _, pid := range children() {
		if f, err := procstat.Fields(strconv.Itoa(pid)); err == nil && len(f) > 0 && string(f[0]) == "Z" {
			zs = append(zs, pid)
		}
	}
	return zs
}

// A run that sends a child away into a session of its own (setsid) and exits: the child,
// orphaned to us (TestMain makes the test binary a subreaper, as the runner is), is in no
// group we know; when it exits nobody but ReapStrays reaps it.
func TestStraysThatLeftTheGroupAreReaped(t *testing.T) {
	g := startSh(t, `(setsid sleep 0.1 &); exit 0`)
	waitExited(t, g)
	waitfor.Until(t, "the run's group to be empty", g.Empty)
	waitfor.Until(t, "the stray to exit and become our zombie", func() bool { return len(zombieChildren(t)) > 0 })
	if n := ReapStrays(); n < 1 {
		t.Fatalf("ReapStrays reaped %d, zombies %v", n, zombieChildren(t))
	}
	if zs := zombieChildren(t); len(zs) != 0 {
		t.Fatalf("zombies left: %v", zs)
	}
}

// ReapStrays never takes a live group's leader: its wait status is the run's result.
func TestReapStraysLeavesLiveGroupsAlone(t *testing.T) {
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-stop:
				return
			default:
				ReapStrays()
			}
		}
	}()
	for i := 0; i < 30; i++ {
		g := startSh(t, `exit 7`)
		if ws := waitExited(t, g); !ws.Exited() || ws.ExitStatus() != 7 {
			t.Fatalf("run %d: leader status %v (exited %v, code %d): reaped by someone else?", i, ws, ws.Exited(), ws.ExitStatus())
		}
	}
	close(stop)
	<-done
}

func TestChildrenListsOurChildrenBothWays(t *testing.T) {
	g := startSh(t, `sleep 5`)
	byTask, byStat := children(), childrenByStat(os.Getpid())
	for name, list := range map[string][]int{"task children": byTask, "stat scan": byStat} {
		found := false
		for _, pid := range list {
			found = found || pid == g.Pid()
		}
		if !found {
			t.Errorf("%s: %v lacks the leader %d", name, list, g.Pid())
		}
	}
	if err := g.Stop(100 * time.Millisecond); err != nil {
		t.Fatal(err)
	}

}

func TestExitedChildSeesAZombieAndLeavesIt(t *testing.T) {
	g := startSh(t, `(setsid sleep 0.05 &); exit 0`)
	waitExited(t, g)
	waitfor.Until(t, "the stray to become our zombie", func() bool { return len(zombieChildren(t)) > 0 })
	zs := zombieChildren(t)
	pid, ok := exitedChild()
	if !ok || !slices.Contains(zs, pid) {
		t.Fatalf("exitedChild() = %d, %v; zombies %v", pid, ok, zs)
	}
	if again := zombieChildren(t); len(again) != len(zs) {
		t.Fatalf("exitedChild reaped: zombies %v → %v", zs, again)
	}
	ReapStrays()
	if _, ok := exitedChild(); ok {
		t.Fatalf("an exited child is left after ReapStrays: %v", zombieChildren(t))
	}
}
