package cli

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// The files a flag names that are read whole (-model, -ids, -decisions, -truth-file) must
// be regular files of a bounded size: a device (-model /dev/full, a path meant for the
// model to be saved to, was read forever), a FIFO or a folder is refused without being
// read, as is a file larger than the flag's cap, each with the flag and file named.
func TestInputFilesBounded(t *testing.T) {
	dir := t.TempDir()
	roll := filepath.Join(dir, "roll.csv")
	writeText(t, roll, smallRoll)
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	sparse := func(name string, size int64) string {
		p := filepath.Join(dir, name)
		writeText(t, p, "")
		if err := os.Truncate(p, size); err != nil {
			t.Fatal(err)
		}
		return p
	}
	bigModel := sparse("big-model.json", modelCap+1)
	bigIDs := sparse("big-ids.csv", listCap+1)
	tests := []struct {
		name string
		f    Flags
		want string
	}{
		{"model on a device", Flags{Model: "/dev/full"}, "-model /dev/full: not a regular file"},
		{"model on a folder", Flags{Model: dir}, "-model DIR: not a regular file"},
		{"model on a FIFO", Flags{Model: fifo}, "-model DIR/fifo: not a regular file"},
		{"model too large", Flags{Model: bigModel}, "-model DIR/big-model.json: larger than 256 MB"},
		{"ids on a device", Flags{IDs: "/dev/zero"}, "-ids /dev/zero: not a regular file"},
		{"ids too large", Flags{IDs: bigIDs}, "-ids DIR/big-ids.csv: larger than 2048 MB"},
		{"decisions on a FIFO", Flags{Decisions: []string{fifo}}, "-decisions DIR/fifo: not a regular file"},
		{"decisions on a folder", Flags{Decisions: []string{dir}}, "-decisions DIR: not a regular file"},
		{"truth file on a device", Flags{TruthFile: "/dev/zero"}, "-truth-file /dev/zero: not a regular file"},
		{"print-settings, model on a device", Flags{Model: "/dev/zero", PrintSettings: true}, "-model /dev/zero: not a regular file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := tt.f
			f.In = []string{roll}
			_, err := runSummary(t, dir, f)
			if err == nil {
				t.Fatalf("ran; want %q", tt.want)
			}
			if got := strings.ReplaceAll(err.Error(), dir, "DIR"); !strings.Contains(got, tt.want) {
				t.Errorf("error %q, want %q", got, tt.want)
			}
		})
	}
}

// A file that grows past its cap while it is read fails at the cap; one of exactly the
// cap reads whole.
func TestCappedReader(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ids.csv")
	writeText(t, path, "0123456789")
	r, err := openInput("-ids", path, 10)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if b, err := io.ReadAll(r); err != nil || string(b) != "0123456789" {
		t.Fatalf("read %q, %v", b, err)
	}
	r2, err := openInput("-ids", path, 10)
	if err != nil {
		t.Fatal(err)
	}
	defer r2.Close()
	writeText(t, path, "0123456789abc") // the file grew after it was opened
	if _, err := io.ReadAll(r2); err == nil || !strings.Contains(err.Error(), "-ids "+path+": larger than") {
		t.Errorf("error %v, want larger than", err)
	}
}
