package waitfor

import (
	"os"
	"path/filepath"
	"testing"
)

func TestUntilAndPid(t *testing.T) {
	n := 0
	Until(t, "the third look", func() bool { n++; return n == 3 })
	file := filepath.Join(t.TempDir(), "pid")
	go os.WriteFile(file, []byte("4242\n"), 0o600)
	if got := Pid(t, file); got != 4242 {
		t.Fatalf("Pid = %d", got)
	}
}
