package proc

import (
	"fmt"
	"syscall"
)

// BecomeSubreaper makes the runner the reaper of its runs' orphans (prctl
// PR_SET_CHILD_SUBREAPER), as it is anyway when it is PID 1 of its container: a grandchild
// whose parent dies is then reparented to the runner, which reaps it with its group
// (Group.Empty), instead of to an init that may leave it a zombie, still counted as a
// member of the group.
func BecomeSubreaper() error {
	const prSetChildSubreaper = 36
	if _, _, errno := syscall.RawSyscall(syscall.SYS_PRCTL, prSetChildSubreaper, 1, 0); errno != 0 {
		return fmt.Errorf("prctl(PR_SET_CHILD_SUBREAPER): %w", errno)
	}
	return nil
}
