//go:build !linux

package proc

// BecomeSubreaper does nothing where there is no PR_SET_CHILD_SUBREAPER: orphans of a run go
// to init, which reaps them (the runner is built for Linux containers; this keeps the module
// building elsewhere, for development).
func BecomeSubreaper() error { return nil }
