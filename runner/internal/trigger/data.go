package trigger

import (
	"strconv"
	"strings"
	"time"
)

// The data each run gets: environment variables for Exec, request headers for HTTP.
const (
	EnvSlot     = "PERIODIC_SLOT"      // the slot, RFC 3339 in UTC with fractions when not whole seconds
	EnvAttempt  = "PERIODIC_ATTEMPT"   // 1, 2, … within the slot
	EnvStateDir = "PERIODIC_STATE_DIR" // --state-dir, when set
	EnvTask     = "PERIODIC_TASK"      // namespace/name, when known

	HeaderSlot     = "Periodic-Slot"
	HeaderAttempt  = "Periodic-Attempt"
	HeaderStateDir = "Periodic-State-Dir"
	HeaderTask     = "Periodic-Task"
	HeaderDeadline = "Periodic-Deadline" // HTTP only: when the runner gives up on the request
)

// FormatTime is how every instant is written for runs and annotations: RFC 3339 in UTC,
// with as many fractional digits as it needs.
func FormatTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// staticEnv is the environment of every run, without the per-run variables: environ less
// any PERIODIC_ variable the runner sets, plus task and state dir.
func staticEnv(environ []string, s settings) []string {
	env := make([]string, 0, len(environ)+4)
	for _, kv := range environ {
		name, _, _ := strings.Cut(kv, "=")
		switch name {
		case EnvSlot, EnvAttempt, EnvStateDir, EnvTask:
			continue
		}
		env = append(env, kv)
	}
	if s.task != "" {
		env = append(env, EnvTask+"="+s.task)
	}
	if s.stateDir != "" {
		env = append(env, EnvStateDir+"="+s.stateDir)
	}
	return env
}

// runEnv appends the per-run variables to a copy of static.
func runEnv(static []string, a Attempt) []string {
	env := make([]string, len(static), len(static)+2)
	copy(env, static)
	return append(env, EnvSlot+"="+FormatTime(a.Slot), EnvAttempt+"="+strconv.Itoa(a.Number))
}
