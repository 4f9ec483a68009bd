package golden

import (
	"os"
	"path/filepath"
	"testing"
)

// recorder is a testing.TB that records failures instead of stopping.
type recorder struct {
	testing.TB
	failed bool
}

func (r *recorder) Errorf(string, ...any) { r.failed = true }
func (r *recorder) Fatalf(string, ...any) { r.failed = true }
func (r *recorder) Helper()               {}

func TestCheck(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "x.golden")
	tests := []struct {
		name   string
		got    string
		update bool
		fails  bool
	}{
		{"missing file", "a", false, true},
		{"written by update", "a", true, false},
		{"same", "a", false, false},
		{"different", "b", false, true},
	}
	for _, tt := range tests {
		r := &recorder{TB: t}
		Check(r, path, tt.got, tt.update)
		if r.failed != tt.fails {
			t.Errorf("%s: failed %v, want %v", tt.name, r.failed, tt.fails)
		}
	}
	if b, _ := os.ReadFile(path); string(b) != "a" {
		t.Errorf("file holds %q, want a", b)
	}
}
