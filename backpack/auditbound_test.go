package backpack_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/studentlink/studentlink/backpack"
	"github.com/studentlink/studentlink/internal/boundedfile"
)

// openOrVerify runs OpenLog and VerifyFile on the same files and returns both errors.
func openOrVerify(t *testing.T, logPath, anchorPath string) map[string]error {
	t.Helper()
	log, openErr := backpack.OpenLog(logPath, anchorPath, auditKey)
	if openErr == nil {
		log.Close()
	}
	_, verifyErr := backpack.VerifyFile(logPath, anchorPath, auditKey)
	return map[string]error{"OpenLog": openErr, "VerifyFile": verifyErr}
}

// A line longer than MaxEntrySize stops OpenLog and VerifyFile at that line, with an
// error naming the file, the line and the cap, and so does a log of zero bytes without
// a newline (what /dev/zero copied to a file holds): neither is read into memory whole.
func TestAuditLineTooLong(t *testing.T) {
	tests := []struct {
		name string
		// edit returns the log's new content.
		edit     func(data []byte) []byte
		wantLine int
	}{
		{"a line one byte over the cap after five entries", func(d []byte) []byte {
			return append(d, strings.Repeat("x", backpack.MaxEntrySize)+"\n"...)
		}, 6},
		{"three megabytes of zeros, no newline", func(d []byte) []byte {
			return make([]byte, 3<<20)
		}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir, _ := fileLog(t)
			path, anchor := filepath.Join(dir, "audit.jsonl"), filepath.Join(dir, "audit.anchor")
			before, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			data := tt.edit(before)
			if err := os.WriteFile(path, data, 0o600); err != nil {
				t.Fatal(err)
			}
			wantOffset := int64(0)
			if tt.wantLine > 1 {
				wantOffset = int64(len(before))
			}
			for what, err := range openOrVerify(t, path, anchor) {
				var le *backpack.LineError
				if !errors.Is(err, backpack.ErrLineTooLong) || !errors.As(err, &le) {
					t.Fatalf("%s = %v, want a *LineError wrapping ErrLineTooLong", what, err)
				}
				if diff := cmp.Diff([2]int64{int64(tt.wantLine), wantOffset}, [2]int64{int64(le.Line), le.Offset}); diff != "" {
					t.Errorf("%s: line and offset (-want +got):\n%s", what, diff)
				}
				for _, part := range []string{path, fmt.Sprintf("line %d ", tt.wantLine), "longer than 1048576 bytes (MaxEntrySize)"} {
					if !strings.Contains(err.Error(), part) {
						t.Errorf("%s = %q, want it to say %q", what, err, part)
					}
				}
			}
			if after, _ := os.ReadFile(path); !bytes.Equal(after, data) {
				t.Error("a refused log was changed")
			}
		})
	}
}

// An anchor over MaxAnchorSize is refused before it is read, naming the file.
func TestAuditAnchorTooLarge(t *testing.T) {
	dir, _ := fileLog(t)
	path, anchor := filepath.Join(dir, "audit.jsonl"), filepath.Join(dir, "audit.anchor")
	if err := os.Truncate(anchor, backpack.MaxAnchorSize+1); err != nil { // sparse: no disk used
		t.Fatal(err)
	}
	for what, err := range openOrVerify(t, path, anchor) {
		if !errors.Is(err, boundedfile.ErrTooLarge) || !strings.Contains(err.Error(), anchor) {
			t.Errorf("%s = %v, want ErrTooLarge naming %s", what, err, anchor)
		}
	}
}

// A log or anchor that is a device, reached through a symbolic link, is refused with
// an error naming it, and OpenLog writes nothing.
func TestAuditDeviceRefused(t *testing.T) {
	const zero = "/dev/zero"
	if _, err := os.Stat(zero); err != nil {
		t.Skip("no /dev/zero")
	}
	for _, which := range []string{"log", "anchor"} {
		t.Run(which, func(t *testing.T) {
			dir, _ := fileLog(t)
			path, anchor := filepath.Join(dir, "audit.jsonl"), filepath.Join(dir, "audit.anchor")
			link := map[string]string{"log": path, "anchor": anchor}[which]
			if err := os.Remove(link); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(zero, link); err != nil {
				t.Skip("symbolic links:", err)
			}
			for what, err := range openOrVerify(t, path, anchor) {
				if !errors.Is(err, boundedfile.ErrNotRegular) || !strings.Contains(err.Error(), link) {
					t.Errorf("%s = %v, want ErrNotRegular naming %s", what, err, link)
				}
			}
			if target, err := os.Readlink(link); err != nil || target != zero {
				t.Errorf("the link now reads %q, %v", target, err)
			}
		})
	}
}

// A log that is long, written in batches and reopened, verifies as it is read a line at
// a time, and VerifyFile reports a tampered log exactly as VerifyAnchored does on the
// same entries and anchor held in memory.
func TestAuditStreamingVerify(t *testing.T) {
	dir := t.TempDir()
	path, anchor := filepath.Join(dir, "audit.jsonl"), filepath.Join(dir, "audit.anchor")
	var head backpack.Checkpoint
	for round := range 3 {
		log := openLog(t, dir)
		for range 20 {
			batch := make([]backpack.Entry, 10)
			for i := range batch {
				batch[i] = backpack.Entry{Action: backpack.ActionView, Actor: "registrar", StudentID: "S1", Note: strings.Repeat("n", round*100)}
			}
			if _, err := log.AppendBatch(batch...); err != nil {
				t.Fatal(err)
			}
		}
		head = log.Head()
		log.Close()
	}
	got, err := backpack.VerifyFile(path, anchor, auditKey)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(head, got); diff != "" || head.Seq != 600 {
		t.Errorf("verified head (-appended +verified):\n%s (seq %d)", diff, head.Seq)
	}
	original, _ := os.ReadFile(path)
	originalAnchor, _ := os.ReadFile(anchor)
	tamper := []struct {
		name      string
		log, anch func(l []string) []string
	}{
		{"an entry's note altered", func(l []string) []string {
			l[300] = strings.Replace(l[300], `"note":"`, `"note":"x`, 1)
			return l
		}, nil},
		{"two entries swapped", func(l []string) []string {
			l[10], l[11] = l[11], l[10]
			return l
		}, nil},
		{"the last entry cut", func(l []string) []string { return l[:len(l)-1] }, nil},
		{"an entry repeated at the end", func(l []string) []string { return append(l, l[len(l)-1]) }, nil},
		{"the anchor names another hash", nil, func(a []string) []string {
			a[0] = strings.Replace(a[0], `"hash":"`, `"hash":"0`, 1)
			return a
		}},
	}
	for _, tt := range tamper {
		t.Run(tt.name, func(t *testing.T) {
			l, a := lines(original), lines(originalAnchor)
			if tt.log != nil {
				l = tt.log(l)
			}
			if tt.anch != nil {
				a = tt.anch(a)
			}
			if err := os.WriteFile(path, []byte(strings.Join(l, "")), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(anchor, []byte(strings.Join(a, "")), 0o600); err != nil {
				t.Fatal(err)
			}
			entries, err := backpack.ReadEntries(strings.NewReader(strings.Join(l, "")))
			if err != nil {
				t.Fatal(err)
			}
			cps, err := backpack.ReadCheckpoints(strings.NewReader(strings.Join(a, "")))
			if err != nil {
				t.Fatal(err)
			}
			var want, fromFile *backpack.ChainError
			if err := backpack.VerifyAnchored(entries, auditKey, cps); !errors.As(err, &want) {
				t.Fatalf("VerifyAnchored = %v, want a *ChainError", err)
			}
			_, err = backpack.VerifyFile(path, anchor, auditKey)
			if !errors.As(err, &fromFile) {
				t.Fatalf("VerifyFile = %v, want a *ChainError", err)
			}
			if diff := cmp.Diff(want, fromFile); diff != "" {
				t.Errorf("VerifyFile's error (-in memory +from the file):\n%s", diff)
			}
			if _, err := backpack.OpenLog(path, anchor, auditKey); err == nil {
				t.Error("OpenLog opened the tampered log")
			}
		})
	}
}
