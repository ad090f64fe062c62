// Package waitfor is for tests: it waits, generously, for something that should take
// milliseconds. The bound only guards against a hang; it never asserts speed.
package waitfor

import (
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Generous is how long Until waits before failing the test.
const Generous = 30 * time.Second

// Until polls cond every 5ms until it is true, failing t after Generous.
func Until(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(Generous)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("never: %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// Pid waits until file holds a pid and a newline (as `echo $! > file` writes), and returns it.
func Pid(t testing.TB, file string) int {
	t.Helper()
	var pid int
	Until(t, "a pid in "+file, func() bool {
		b, err := os.ReadFile(file)
		if err != nil || !strings.HasSuffix(string(b), "\n") {
			return false
		}
		if pid, err = strconv.Atoi(strings.TrimSpace(string(b))); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		return true
	})
	return pid
}
