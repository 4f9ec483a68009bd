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
