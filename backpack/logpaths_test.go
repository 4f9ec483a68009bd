package backpack_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/studentlink/studentlink/backpack"
)

// OpenLog refuses a log and an anchor that are one file, however the two are named:
// writing the anchor would replace the log and the entries appended to it. A log and
// anchor that are two files open, and an entry appended stays in the log.
func TestOpenLogRefusesOneFile(t *testing.T) {
	const log, anchor = "audit.jsonl", "audit.anchor"
	tests := []struct {
		name string
		// setup makes the files in dir and returns the log and anchor paths to open.
		setup   func(t *testing.T, dir string) (logPath, anchorPath string)
		refused bool
	}{
		{"two files", func(t *testing.T, dir string) (string, string) {
			return filepath.Join(dir, log), filepath.Join(dir, anchor)
		}, false},
		{"same path", func(t *testing.T, dir string) (string, string) {
			return filepath.Join(dir, log), filepath.Join(dir, log)
		}, true},
		{"./ spelling, no files yet", func(t *testing.T, dir string) (string, string) {
			return dir + "/" + log, dir + "/./" + log
		}, true},
		{"../ spelling, no files yet", func(t *testing.T, dir string) (string, string) {
			return dir + "/" + log, dir + "/sub/../" + log
		}, true},
		{"./ spelling of a log holding entries", func(t *testing.T, dir string) (string, string) {
			logWithEntry(t, filepath.Join(dir, log), filepath.Join(dir, anchor))
			return dir + "/" + log, dir + "/./" + log
		}, true},
		{"anchor a symlink to the log", func(t *testing.T, dir string) (string, string) {
			touch(t, filepath.Join(dir, log))
			symlink(t, filepath.Join(dir, log), filepath.Join(dir, "link"))
			return filepath.Join(dir, log), filepath.Join(dir, "link")
		}, true},
		{"anchor a relative symlink to the log not made yet", func(t *testing.T, dir string) (string, string) {
			symlink(t, log, filepath.Join(dir, "link"))
			return filepath.Join(dir, log), filepath.Join(dir, "link")
		}, true},
		{"log a symlink to the anchor", func(t *testing.T, dir string) (string, string) {
			touch(t, filepath.Join(dir, anchor))
			symlink(t, filepath.Join(dir, anchor), filepath.Join(dir, "link"))
			return filepath.Join(dir, "link"), filepath.Join(dir, anchor)
		}, true},
		{"anchor a hard link to the log", func(t *testing.T, dir string) (string, string) {
			touch(t, filepath.Join(dir, log))
			if err := os.Link(filepath.Join(dir, log), filepath.Join(dir, "hard")); err != nil {
				t.Skipf("no hard links here: %v", err)
			}
			return filepath.Join(dir, log), filepath.Join(dir, "hard")
		}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			logPath, anchorPath := tt.setup(t, dir)
			before, _ := os.ReadFile(filepath.Join(dir, log))
			l, err := backpack.OpenLog(logPath, anchorPath, auditKey)
			if !tt.refused {
				if err != nil {
					t.Fatal(err)
				}
				if _, err := l.Append(backpack.Entry{Action: backpack.ActionView, Actor: "registrar", StudentID: "S1"}); err != nil {
					t.Fatal(err)
				}
				if err := l.Close(); err != nil {
					t.Fatal(err)
				}
				if _, err := backpack.VerifyFile(logPath, anchorPath, auditKey); err != nil {
					t.Error(err)
				}
				return
			}
			if err == nil {
				_, appendErr := l.Append(backpack.Entry{Action: backpack.ActionView, Actor: "registrar", StudentID: "S1"})
				l.Close()
				data, _ := os.ReadFile(logPath)
				t.Fatalf("OpenLog(%q, %q) opened one file as both; Append: %v; the log now holds %q", logPath, anchorPath, appendErr, data)
			}
			for _, p := range []string{logPath, anchorPath} {
				if !strings.Contains(err.Error(), p) {
					t.Errorf("the error does not name %s: %v", p, err)
				}
			}
			after, _ := os.ReadFile(filepath.Join(dir, log))
			if diff := cmp.Diff(string(before), string(after)); diff != "" {
				t.Errorf("a refused OpenLog changed the log (-before +after):\n%s", diff)
			}
		})
	}
}

// logWithEntry makes a log at path, anchored at anchorPath, holding one entry.
func logWithEntry(t *testing.T, path, anchorPath string) {
	t.Helper()
	l, err := backpack.OpenLog(path, anchorPath, auditKey)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.Append(backpack.Entry{Action: backpack.ActionView, Actor: "registrar", StudentID: "S1"}); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
}

func touch(t *testing.T, path string) {
	t.Helper()
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
}

// symlink makes link point at target, skipping the test where the system cannot.
func symlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Skipf("no symlinks here: %v", err)
	}
}
