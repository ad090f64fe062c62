package procstat

import (
	"os"
	"strconv"
	"testing"
)

func TestFieldsOfThisProcess(t *testing.T) {
	f, err := Fields("self")
	if err != nil {
		t.Fatal(err)
	}
	if len(f) < 20 {
		t.Fatalf("%d fields", len(f))
	}
	if state := string(f[0]); state != "R" && state != "S" {
		t.Errorf("state %q of a running test", state)
	}
	if ppid, _ := strconv.Atoi(string(f[4-3])); ppid != os.Getppid() {
		t.Errorf("ppid field %s, want %d", f[1], os.Getppid())
	}
	byPid, err := Fields(strconv.Itoa(os.Getpid()))
	if err != nil || string(byPid[4-3]) != string(f[4-3]) {
		t.Errorf("Fields(own pid) = %q, %v", byPid, err)
	}
}

func TestFieldsOfNoProcess(t *testing.T) {
	if _, err := Fields("0"); err == nil {
		t.Fatal("no error for /proc/0/stat")
	}
}
