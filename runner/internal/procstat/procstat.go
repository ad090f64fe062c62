// Package procstat reads the fields of /proc/PID/stat.
package procstat

import (
	"bytes"
	"errors"
	"os"
)

// Fields returns the fields of /proc/<pid>/stat from the 3rd on (state, ppid, pgrp, …; the
// field numbered n in proc(5) is at index n-3). pid is a number or "self". The command
// name (field 2) is in parentheses and may hold anything, spaces and ')' included, so the
// fields are counted from the last ')'.
func Fields(pid string) ([][]byte, error) {
	b, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return nil, err
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return nil, errors.New("/proc/" + pid + "/stat: no ')' after the command name")
	}
	return bytes.Fields(b[i+1:]), nil
}
