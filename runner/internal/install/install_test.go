package install

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

func TestCopy(t *testing.T) {
	src := filepath.Join(t.TempDir(), "self")
	content := bytes.Repeat([]byte("\x7fELF binary "), 1000)
	if err := os.WriteFile(src, content, 0o700); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, Name), []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	dst, err := Copy(src, dir)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(dst)
	if err != nil || !bytes.Equal(got, content) {
		t.Fatalf("installed %d bytes, %v", len(got), err)
	}
	if st, _ := os.Stat(dst); st.Mode().Perm() != 0o755 {
		t.Fatalf("mode %v", st.Mode())
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("left behind: %v", entries)
	}
}

func TestCopyErrors(t *testing.T) {
	if _, err := Copy(filepath.Join(t.TempDir(), "missing"), t.TempDir()); err == nil {
		t.Fatal("missing source accepted")
	}
	src := filepath.Join(t.TempDir(), "self")
	os.WriteFile(src, []byte("x"), 0o700)
	if _, err := Copy(src, filepath.Join(t.TempDir(), "no-such-dir")); err == nil {
		t.Fatal("missing directory accepted")
	}
}
