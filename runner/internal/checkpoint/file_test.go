package checkpoint

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"periodic.dev/runner/internal/result"
)

func TestFileSaveLoad(t *testing.T) {
	dir := t.TempDir()
	f := NewFile(dir)
	if s, err := f.Load(); err != nil || s != (State{}) {
		t.Fatalf("missing file: %+v, %v", s, err)
	}
	s := State{LastSlot: t0, LastFailure: t0.Add(time.Second), LastResult: result.Failure}
	if err := f.Save(s); err != nil {
		t.Fatal(err)
	}
	if got, err := NewFile(dir).Load(); err != nil || got != s {
		t.Fatalf("Load = %+v, %v; want %+v", got, err, s)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 || entries[0].Name() != FileName {
		t.Fatalf("dir holds %v, want only %s", entries, FileName)
	}
}

func TestFileLoadCorrupt(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, FileName), []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := NewFile(dir).Load(); err == nil {
		t.Fatal("corrupt checkpoint loaded")
	}
}
