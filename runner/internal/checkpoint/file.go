package checkpoint

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// FileName is the checkpoint's file in --state-dir; the dot keeps it out of the way of
// the task's own files there.
const FileName = ".ticker-checkpoint.json"

// File keeps the state in a JSON file (the annotations as an object), replaced atomically.
type File struct{ path string }

// NewFile keeps the state in dir/FileName.
func NewFile(dir string) *File { return &File{path: filepath.Join(dir, FileName)} }

// Load reads the state; a missing file is the zero state.
func (f *File) Load() (State, error) {
	b, err := os.ReadFile(f.path)
	if errors.Is(err, fs.ErrNotExist) {
		return State{}, nil
	}
	if err != nil {
		return State{}, fmt.Errorf("checkpoint: %w", err)
	}
	var a map[string]string
	if err := json.Unmarshal(b, &a); err != nil {
		return State{}, fmt.Errorf("checkpoint %s: %w", f.path, err)
	}
	s, err := FromAnnotations(a)
	if err != nil {
		return State{}, fmt.Errorf("checkpoint %s: %w", f.path, err)
	}
	return s, nil
}

// Save writes the state to a temporary file and renames it over the old one, so a crash
// leaves either the old or the new state. It does not fsync: --state-dir is an emptyDir
// that only has to survive container restarts, not a machine crash.
func (f *File) Save(s State) error {
	b, err := json.Marshal(s.Annotations())
	if err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(f.path), FileName+".*")
	if err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	defer os.Remove(tmp.Name()) // fails harmlessly after the rename
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return fmt.Errorf("checkpoint %s: %w", tmp.Name(), err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("checkpoint %s: %w", tmp.Name(), err)
	}
	if err := os.Rename(tmp.Name(), f.path); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	return nil
}
