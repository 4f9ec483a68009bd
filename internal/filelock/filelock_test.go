package filelock

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"
)

// TestTryLockKeepsASecondOut: a file locked through one open file cannot be locked
// through another until the first is closed; Within gives up after its wait.
func TestTryLockKeepsASecondOut(t *testing.T) {
	switch runtime.GOOS {
	case "linux", "darwin", "freebsd", "netbsd", "openbsd", "dragonfly":
	default:
		t.Skip("no advisory locks on " + runtime.GOOS)
	}
	path := filepath.Join(t.TempDir(), "x.lock")
	open := func() *os.File {
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	first, second := open(), open()
	defer second.Close()
	if ok, err := TryLock(first); !ok || err != nil {
		t.Fatalf("first lock: %v, %v", ok, err)
	}
	if ok, err := Within(second, 60*time.Millisecond); ok || err != nil {
		t.Fatalf("second lock while the first holds it: %v, %v", ok, err)
	}
	first.Close()
	if ok, err := Within(second, time.Second); !ok || err != nil {
		t.Errorf("second lock once the first is closed: %v, %v", ok, err)
	}
}
