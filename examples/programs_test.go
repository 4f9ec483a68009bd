// Package examples_test checks what every example program shares: each answers -h with
// its usage and a paragraph on what it does on stderr and exits 0 without doing its work,
// and refuses an argument that is not a flag.
package examples_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestEveryProgramAnswersHelp: -h on each program opens with its usage line and a
// paragraph on what it does, not Go's bare "Usage of /path", on stderr, and exits 0 at
// once without doing its work.
func TestEveryProgramAnswersHelp(t *testing.T) {
	for _, name := range programs(t) {
		t.Run(name, func(t *testing.T) {
			exe := program(t, name)
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
			help := stderr.String()
			usage, rest, _ := strings.Cut(help, "\n\n")
			description, _, _ := strings.Cut(rest, "\n\n")
			if !strings.HasPrefix(usage, "usage: "+name) || strings.Contains(help, "Usage of ") || len(strings.Fields(description)) < 10 {
				t.Errorf("-h should open with a usage line and a paragraph on the program:\n%s", help)
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

// programs lists the example programs: every folder here.
func programs(t *testing.T) []string {
	t.Helper()
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if e.IsDir() {
			names = append(names, e.Name())
		}
	}
	return names
}

// built holds the programs built for the tests, by name, built once per run.
var built struct {
	sync.Mutex
	dir  string
	exes map[string]string
}

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "example-programs-")
	if err != nil {
		panic(err)
	}
	built.dir, built.exes = dir, map[string]string{}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// program builds examples/name (once) and returns the executable's path.
func program(t *testing.T, name string) string {
	t.Helper()
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to build the programs with")
	}
	built.Lock()
	defer built.Unlock()
	if exe, ok := built.exes[name]; ok {
		return exe
	}
	exe := filepath.Join(built.dir, name)
	if out, err := exec.Command(gobin, "build", "-o", exe, "./"+name).CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	built.exes[name] = exe
	return exe
}

// TestStrayArgumentsRefused builds the programs that parse their flags with NewFlagSet
// and Parse and gives each an argument that is not a flag in the middle of its flags: the
// flags after it must not be dropped silently, so each program stops with exit status 2
// and says which argument it did not expect, having written nothing.
func TestStrayArgumentsRefused(t *testing.T) {
	for _, tc := range []struct {
		program string
		args    []string
	}{
		{"dedupe", []string{"-quiet", "stray", "-out", "clusters.csv"}},
		{"link", []string{"-quiet", "stray", "-out", "clusters.csv"}},
		{"evaluate", []string{"-sets", "fast", "stray", "-md"}},
		{"normalize", []string{"-day-first", "stray", "-in", "roll.csv"}},
		{"synth", []string{"-students", "5", "stray", "-out", "x.csv"}},
		{"enroll", []string{"stray"}},
		{"backpack", []string{"-json", "stray", "-audit", "log"}},
		{"research", []string{"-min", "12", "stray", "-out", "extract"}},
		{"serve", []string{"-addr", "127.0.0.1:0", "stray", "-db", "x.db"}},
	} {
		t.Run(tc.program, func(t *testing.T) {
			exe := program(t, tc.program)
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, exe, tc.args...)
			cmd.Dir = t.TempDir() // a program that went on to work would leave files here
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != 2 {
				t.Errorf("%s %s: %v, want exit status 2\n%s", tc.program, strings.Join(tc.args, " "), err, stderr.String())
			}
			want := tc.program + `: unexpected argument "stray"`
			if !strings.Contains(stderr.String(), want) {
				t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
			}
			if stdout.Len() > 0 {
				t.Errorf("stdout: %s", stdout.String())
			}
			if left, _ := os.ReadDir(cmd.Dir); len(left) > 0 {
				t.Errorf("%d file(s) written", len(left))
			}
		})
	}
}

// TestEveryDocListsEveryFlag: each program's package doc (what go doc shows) names every
// flag its -h lists, itself: link's doc once pointed to examples/dedupe's for most of its
// flags, which go doc ./examples/link does not show.
func TestEveryDocListsEveryFlag(t *testing.T) {
	flagLine := regexp.MustCompile(`(?m)^  -([A-Za-z0-9][A-Za-z0-9-]*)`)
	for _, name := range programs(t) {
		t.Run(name, func(t *testing.T) {
			var stderr bytes.Buffer
			cmd := exec.Command(program(t, name), "-h")
			cmd.Dir, cmd.Stderr = t.TempDir(), &stderr
			if err := cmd.Run(); err != nil {
				t.Fatalf("-h: %v", err)
			}
			src, err := os.ReadFile(filepath.Join(name, "main.go"))
			if err != nil {
				t.Fatal(err)
			}
			doc := string(src[:bytes.Index(src, []byte("\npackage main"))])
			for _, m := range flagLine.FindAllStringSubmatch(stderr.String(), -1) {
				if !strings.Contains(doc, "-"+m[1]) {
					t.Errorf("go doc ./examples/%s does not mention -%s", name, m[1])
				}
			}
		})
	}
}

// TestFailedStdoutWriteFails: a program whose standard output cannot be written (here
// /dev/full, a disk that is full) says so on stderr and exits 1; before, dedupe, link,
// normalize, enroll and evaluate dropped the error and exited 0.
func TestFailedStdoutWriteFails(t *testing.T) {
	full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
	if err != nil {
		t.Skip("no /dev/full:", err)
	}
	defer full.Close()
	for _, tc := range []struct {
		program string
		args    []string
	}{
		{"dedupe", []string{"-quiet"}},
		{"link", []string{"-quiet"}},
		{"normalize", nil},
		{"enroll", nil},
		{"evaluate", []string{"-list"}},
		{"evaluate", []string{"-sets", "febrl1"}}, // the embedded subset: no ../shared/datasets beside cmd.Dir
		{"evaluate", []string{"-one", "febrl1"}},
	} {
		t.Run(tc.program+strings.Join(tc.args, ""), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, program(t, tc.program), tc.args...)
			cmd.Dir = t.TempDir()
			var stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = full, &stderr
			err := cmd.Run()
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != 1 {
				t.Errorf("%s %s: %v, want exit status 1\n%s", tc.program, strings.Join(tc.args, " "), err, stderr.String())
			}
			if want := "write /dev/stdout: no space left on device"; !strings.Contains(stderr.String(), want) {
				t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
			}
		})
	}
}
