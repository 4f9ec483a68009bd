//go:build unix

package backpack_test

import (
	"errors"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/studentlink/studentlink/internal/boundedfile"
)

// A FIFO named as the log or the anchor is refused without being opened: opening one
// for reading or writing blocks until another process opens its other end.
func TestAuditFIFORefused(t *testing.T) {
	for _, which := range []string{"log", "anchor", "missing log, FIFO anchor"} {
		t.Run(which, func(t *testing.T) {
			dir := t.TempDir()
			path, anchor := filepath.Join(dir, "audit.jsonl"), filepath.Join(dir, "audit.anchor")
			if which == "log" {
				logWithEntry(t, filepath.Join(dir, "other.jsonl"), anchor)
			}
			fifo := map[string]string{"log": path, "anchor": anchor, "missing log, FIFO anchor": anchor}[which]
			if err := syscall.Mkfifo(fifo, 0o600); err != nil {
				t.Skip("mkfifo:", err)
			}
			done := make(chan map[string]error, 1)
			go func() { done <- openOrVerify(t, path, anchor) }()
			select {
			case errs := <-done:
				for what, err := range errs {
					if !errors.Is(err, boundedfile.ErrNotRegular) || !strings.Contains(err.Error(), fifo) {
						t.Errorf("%s = %v, want ErrNotRegular naming %s", what, err, fifo)
					}
				}
			case <-time.After(20 * time.Second):
				t.Fatal("OpenLog or VerifyFile blocked on the FIFO")
			}
		})
	}
}
