package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// SIGINT while a set runs in its child process stops the suite cleanly: the set is said to
// be interrupted, not failed, the sets that finished are printed, and the program exits
// 130. Before, the child was killed and its set reported "error: rldata10000: signal:
// killed", then "1 of 1 set(s) failed", exit 1. The signal goes to the program alone
// (kill -INT) or to its process group, as a terminal's Ctrl-C sends it to the child too.
func TestInterruptStopsCleanly(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the program in a process of its own")
	}
	for _, tt := range []struct {
		name  string
		group bool // signal the process group, not the program alone
	}{
		{"kill -INT the program", false},
		{"Ctrl-C, the process group", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-sets", "rldata10000,synth")
			cmd.Dir = t.TempDir() // no ../shared/datasets: the embedded subset
			cmd.Env = append(os.Environ(), childEnv+"=1")
			cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			// Signal once the first set's child process runs.
			if !waitChild(t, cmd.Process.Pid, done) {
				err := <-done
				t.Fatalf("no set's child process started (%v); stderr:\n%s", err, stderr.String())
			}
			pid := cmd.Process.Pid
			if tt.group {
				pid = -pid
			}
			if err := syscall.Kill(pid, syscall.SIGINT); err != nil {
				t.Fatal(err)
			}
			var err error
			select {
			case err = <-done:
			case <-time.After(2 * time.Minute):
				_ = cmd.Process.Kill()
				t.Fatalf("still running two minutes after SIGINT; stderr:\n%s", stderr.String())
			}
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != exitInterrupted {
				t.Errorf("exit %v, want status %d", err, exitInterrupted)
			}
			got := stderr.String()
			if !strings.Contains(got, "evaluate: interrupted at set ") {
				t.Errorf("stderr does not say it was interrupted:\n%s", got)
			}
			for _, bad := range []string{"error", "signal: killed", "failed", "context canceled"} {
				if strings.Contains(got, bad) {
					t.Errorf("stderr has %q:\n%s", bad, got)
				}
			}
			// The table: its header and a row for each set that finished, none an error.
			lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
			if len(lines) == 0 || !strings.Contains(lines[0], "precision") {
				t.Fatalf("no table:\n%s", stdout.String())
			}
			for _, l := range lines[1:] {
				if strings.Contains(l, "error") {
					t.Errorf("row %q", l)
				}
			}
		})
	}
}

// waitChild waits, two minutes at most, until the process pid has a child process; false
// when it ended (done) or none came. A Go program forks from any of its threads, and
// /proc lists a thread's children under that thread.
func waitChild(t *testing.T, pid int, done chan error) bool {
	t.Helper()
	tasks := "/proc/" + strconv.Itoa(pid) + "/task"
	if _, err := os.Stat(tasks + "/" + strconv.Itoa(pid) + "/children"); err != nil {
		t.Skipf("cannot see child processes: %v", err)
	}
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		select {
		case err := <-done:
			done <- err
			return false
		default:
		}
		children, _ := filepath.Glob(tasks + "/*/children")
		for _, path := range children {
			if b, err := os.ReadFile(path); err == nil && len(bytes.TrimSpace(b)) > 0 {
				return true
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	return false
}

// A child that SIGINT ended, before its handler was installed or through it, reads as
// interrupted, whatever the program's own context has seen yet; a failure does not.
func TestInterruptedBySignal(t *testing.T) {
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh")
	}
	for _, tt := range []struct {
		script string
		want   bool
	}{
		{"kill -INT $$", true},
		{"exit 130", true},
		{"exit 1", false},
		{"exit 0", false},
		{"kill -TERM $$", false},
	} {
		cmd := exec.Command("sh", "-c", tt.script)
		_ = cmd.Run()
		if got := interruptedBySignal(cmd.ProcessState); got != tt.want {
			t.Errorf("%q: interruptedBySignal = %v, want %v (%v)", tt.script, got, tt.want, cmd.ProcessState)
		}
	}
	if interruptedBySignal(nil) {
		t.Error("a process that never started reads as interrupted")
	}
}
