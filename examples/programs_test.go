// Package examples_test checks what every example program shares: each answers -h with
// its usage on stderr and exits 0 without doing its work.
package examples_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestEveryProgramAnswersHelp(t *testing.T) {
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to build the programs with")
	}
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	bin := t.TempDir()
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		name := e.Name()
		t.Run(name, func(t *testing.T) {
			exe := filepath.Join(bin, name)
			if out, err := exec.Command(gobin, "build", "-o", exe, "./"+name).CombinedOutput(); err != nil {
				t.Fatalf("go build: %v\n%s", err, out)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, exe, "-h")
			cmd.Dir = t.TempDir() // a program that went on to work would leave files here
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			start := time.Now()
			err := cmd.Run()
			var exit *exec.ExitError
			if errors.As(err, &exit) || err != nil {
				t.Fatalf("-h: %v\n%s", err, stderr.String())
			}
			if stdout.Len() > 0 {
				t.Errorf("-h wrote to stdout:\n%s", stdout.String())
			}
			if !strings.Contains(stderr.String(), "-") || !strings.Contains(strings.ToLower(stderr.String()), "usage") {
				t.Errorf("-h: no usage on stderr:\n%s", stderr.String())
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("-h took %v: did the program do its work?", d)
			}
			if left, _ := os.ReadDir(cmd.Dir); len(left) > 0 {
				t.Errorf("-h left %d file(s) behind", len(left))
			}
		})
	}
}
