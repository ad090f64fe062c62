// Package install copies the ticker's executable into a directory (the init container's
// job: `ticker install /periodic/bin` puts the static binary on a volume the task's
// container runs it from).
package install

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Name is the file the executable is installed as.
const Name = "ticker"

// Copy copies the file at src to dir/Name with mode 0755, atomically: it writes a
// temporary file in dir and renames it over, so a reader never sees half a binary.
func Copy(src, dir string) (string, error) {
	in, err := os.Open(src)
	if err != nil {
		return "", fmt.Errorf("install: %w", err)
	}
	defer in.Close()
	tmp, err := os.CreateTemp(dir, "."+Name+"-*")
	if err != nil {
		return "", fmt.Errorf("install: %w", err)
	}
	defer os.Remove(tmp.Name()) // after the rename there is nothing to remove
	if _, err := io.Copy(tmp, in); err != nil {
		tmp.Close()
		return "", fmt.Errorf("install: copy to %s: %w", tmp.Name(), err)
	}
	if err := tmp.Chmod(0o755); err != nil {
		tmp.Close()
		return "", fmt.Errorf("install: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return "", fmt.Errorf("install: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return "", fmt.Errorf("install: %w", err)
	}
	dst := filepath.Join(dir, Name)
	if err := os.Rename(tmp.Name(), dst); err != nil {
		return "", fmt.Errorf("install: %w", err)
	}
	return dst, nil
}
