package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func synthRun(args ...string) (int, string, string) {
	var out, errs bytes.Buffer
	code := run(args, &out, &errs)
	return code, out.String(), errs.String()
}

// The files are the data: stdout stays empty and the note goes to stderr; -print-config
// alone writes to stdout.
func TestWritesFilesAndTalksOnStderr(t *testing.T) {
	dir := t.TempDir()
	roll, truth := filepath.Join(dir, "roll.csv"), filepath.Join(dir, "truth.csv")
	for _, stream := range []bool{false, true} {
		args := []string{"-students", "20", "-out", roll, "-truth", truth}
		if stream {
			args = append(args, "-stream")
		}
		code, stdout, stderr := synthRun(args...)
		if code != 0 || stdout != "" || !strings.HasPrefix(stderr, "synth: ") {
			t.Fatalf("stream %v: exit %d, stdout %q, stderr %q", stream, code, stdout, stderr)
		}
		for _, p := range []string{roll, truth} {
			if b, err := os.ReadFile(p); err != nil || bytes.Count(b, []byte("\n")) < 21 {
				t.Errorf("stream %v: %s: %d bytes, %v", stream, p, len(b), err)
			}
		}
	}
	code, stdout, stderr := synthRun("-print-config", "-students", "7")
	var cfg map[string]any
	if code != 0 || json.Unmarshal([]byte(stdout), &cfg) != nil || stderr != "" {
		t.Errorf("-print-config: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}

// The doc and -h name no internal package a user cannot reach.
func TestDocNamesNoInternalPackage(t *testing.T) {
	src, err := os.ReadFile("main.go")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(src[:bytes.Index(src, []byte("package main"))])
	_, _, help := synthRun("-h")
	for what, text := range map[string]string{"doc": doc, "-h": help} {
		if strings.Contains(text, "synth.") {
			t.Errorf("the %s names the internal synth package:\n%s", what, text)
		}
	}
}

// -out - and -truth - write that file to stdout, as dedupe's and link's - do, and make no
// file named "-"; the note stays on stderr; both on stdout is refused.
func TestDashIsStdout(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantHeader string // stdout's first line
		wantFile   string // the file written beside it
	}{
		{"roll", []string{"-out", "-", "-truth", "truth.csv"}, 0, "record_id,lea_id", "truth.csv"},
		{"roll streamed", []string{"-out", "-", "-truth", "truth2.csv", "-stream"}, 0, "record_id,lea_id", "truth2.csv"},
		{"truth", []string{"-out", "roll.csv", "-truth", "-"}, 0, "record_id,", "roll.csv"},
		{"both", []string{"-out", "-", "-truth", "-"}, 1, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := synthRun(append([]string{"-students", "20"}, tt.args...)...)
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d; stderr %q", code, tt.wantCode, stderr)
			}
			if _, err := os.Stat("-"); err == nil {
				t.Fatal(`a file named "-" was written`)
			}
			if tt.wantCode != 0 {
				if stdout != "" || !strings.Contains(stderr, "both write to stdout") {
					t.Errorf("stdout %q, stderr %q", stdout, stderr)
				}
				return
			}
			if !strings.HasPrefix(stdout, tt.wantHeader) || strings.Count(stdout, "\n") < 21 {
				t.Errorf("stdout does not hold the file:\n%.200s", stdout)
			}
			if !strings.HasPrefix(stderr, "synth: ") || !strings.Contains(stderr, "stdout") || strings.Contains(stdout, "synth:") {
				t.Errorf("the note should go to stderr and name stdout: stderr %q", stderr)
			}
			if _, err := os.Stat(tt.wantFile); err != nil {
				t.Error(err)
			}
		})
	}
}

// The roll and the truth on one file, in whatever spelling (x.csv and ./x.csv, - and
// /dev/stdout), an output on the -config file, and an output in a folder that does not
// exist are refused before anything is written: the config is left as it was.
func TestOutputClashesRefused(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	const config = `{"Students": 20}`
	if err := os.WriteFile("c.json", []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"same file", []string{"-out", "x.csv", "-truth", "x.csv"}, "-out and -truth both write to x.csv"},
		{"another spelling", []string{"-out", "x.csv", "-truth", "./x.csv"}, "-out and -truth both write to ./x.csv"},
		{"the config", []string{"-config", "c.json", "-out", "c.json", "-truth", "t.csv"}, "-out c.json names the -config file c.json"},
		{"stdout spelled twice", []string{"-out", "-", "-truth", "/dev/stdout"}, "-out - and -truth /dev/stdout both write to stdout"},
		{"no such folder", []string{"-out", "nodir/x.csv", "-truth", "t.csv"}, "folder nodir does not exist"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := synthRun(append([]string{"-students", "20"}, tt.args...)...)
			if code != 1 || stdout != "" || !strings.Contains(stderr, tt.want) {
				t.Fatalf("exit %d, stdout %.80q, stderr %q; want exit 1 and %q", code, stdout, stderr, tt.want)
			}
			for _, name := range []string{"x.csv", "t.csv"} {
				if _, err := os.Stat(name); err == nil {
					t.Errorf("%s was written", name)
				}
			}
			if b, _ := os.ReadFile("c.json"); string(b) != config {
				t.Errorf("the config was changed: %q", b)
			}
		})
	}
}

// A count that is not positive is refused, naming the flag, before anything is written;
// before, -records -5, -students 0 or -leas -1 silently ran with the defaults.
func TestNonPositiveCountsRefused(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"-records", "-5"}, "synth: -records -5: must be at least 1\n"},
		{[]string{"-students", "-5"}, "synth: -students -5: must be at least 1\n"},
		{[]string{"-students", "0"}, "synth: -students 0: must be at least 1\n"},
		{[]string{"-leas", "0"}, "synth: -leas 0: must be at least 1\n"},
		{[]string{"-leas", "-1", "-print-config"}, "synth: -leas -1: must be at least 1\n"},
	} {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			dir := t.TempDir()
			args := append(tt.args, "-out", filepath.Join(dir, "roll.csv"), "-truth", filepath.Join(dir, "truth.csv"))
			code, stdout, stderr := synthRun(args...)
			if code != 1 || stdout != "" || stderr != tt.want {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit 1, stderr %q", code, stdout, stderr, tt.want)
			}
			if left, _ := os.ReadDir(dir); len(left) > 0 {
				t.Errorf("%d file(s) written", len(left))
			}
		})
	}
}
