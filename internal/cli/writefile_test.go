package cli

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// An output whose writing fails or stops (a report cut short by SIGINT) leaves no empty
// or partial file, and an earlier file of that name whole; one written in full replaces
// it. Before, -report r.html was left at 0 bytes.
func TestWriteFileAllOrNothing(t *testing.T) {
	stopped := errors.New("context canceled")
	for _, tt := range []struct {
		name    string
		earlier string // "" for no earlier file
		write   func(io.Writer) error
		want    string // the file after; "" for none
		wantErr bool
	}{
		{"stopped, no earlier file", "", func(w io.Writer) error { io.WriteString(w, "<html>half"); return stopped }, "", true},
		{"stopped, earlier file kept", "old report", func(w io.Writer) error { return stopped }, "old report", true},
		{"written", "old report", func(w io.Writer) error { _, err := io.WriteString(w, "new report"); return err }, "new report", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "r.html")
			if tt.earlier != "" {
				writeText(t, path, tt.earlier)
			}
			err := writeFile(path, tt.write)
			if (err != nil) != tt.wantErr {
				t.Fatalf("error %v, want error %v", err, tt.wantErr)
			}
			b, rerr := os.ReadFile(path)
			if tt.want == "" {
				if rerr == nil {
					t.Errorf("%s left behind: %q", path, b)
				}
			} else if diff := cmp.Diff(tt.want, string(b)); diff != "" {
				t.Errorf("file (-want +got):\n%s", diff)
			}
			entries, _ := os.ReadDir(dir)
			var names []string
			for _, e := range entries {
				names = append(names, e.Name())
			}
			var wantNames []string
			if tt.want != "" {
				wantNames = []string{"r.html"}
			}
			if diff := cmp.Diff(wantNames, names); diff != "" {
				t.Errorf("folder (-want +got):\n%s", diff)
			}
		})
	}
	// os.DevNull is written in place, not replaced.
	if err := writeFile(os.DevNull, func(w io.Writer) error { _, err := io.WriteString(w, "x"); return err }); err != nil {
		t.Errorf("%s: %v", os.DevNull, err)
	}
}
