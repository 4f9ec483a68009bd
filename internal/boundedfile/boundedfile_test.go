package boundedfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	small := filepath.Join(dir, "small")
	if err := os.WriteFile(small, []byte("12345"), 0o644); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big") // sparse: no disk taken
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(1 << 30); err != nil {
		t.Fatal(err)
	}
	f.Close()
	tests := []struct {
		name, path string
		limit      int64
		want       error  // errors.Is; nil reads
		text       string // in the message
	}{
		{"a file under its cap", small, 5, nil, ""},
		{"a file over its cap", small, 4, ErrTooLarge, "larger than 4 bytes"},
		{"a sparse gigabyte", big, 1 << 20, ErrTooLarge, "larger than 1 MB"},
		{"a folder", dir, 1 << 20, ErrNotRegular, "not a regular file (d"},
		{"a device", os.DevNull, 1 << 20, ErrNotRegular, "not a regular file (D"},
		{"no file", filepath.Join(dir, "none"), 1 << 20, fs.ErrNotExist, "no such file"},
	}
	for _, tt := range tests {
		b, err := ReadFile(tt.path, tt.limit)
		switch {
		case tt.want == nil && (err != nil || string(b) != "12345"):
			t.Errorf("%s: %q, %v; want the file", tt.name, b, err)
		case tt.want != nil && (!errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.text)):
			t.Errorf("%s: %v; want %v saying %q", tt.name, err, tt.want, tt.text)
		case tt.want != nil && strings.Contains(err.Error(), tt.path) && tt.path != os.DevNull:
			t.Errorf("%s: %v names the path, which callers name", tt.name, err)
		}
	}
}

// A file that grows past its cap after Open is refused while read.
func TestGrowsPastCap(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(path, []byte("abc"), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := Open(path, 3)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if err := os.WriteFile(path, []byte("abcdef"), 0o644); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 16)
	n, err := r.Read(buf)
	if n != 3 || err != nil {
		t.Fatalf("first read: %d, %v", n, err)
	}
	if _, err := r.Read(buf); !errors.Is(err, ErrTooLarge) {
		t.Errorf("read past the cap: %v, want ErrTooLarge", err)
	}
}
