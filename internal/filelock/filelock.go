package filelock

import (
	"os"
	"time"
)

// Within takes f's exclusive lock (TryLock), trying again every 20 ms until wait has
// passed: false when another open file still holds it then.
func Within(f *os.File, wait time.Duration) (bool, error) {
	deadline := time.Now().Add(wait)
	for {
		ok, err := TryLock(f)
		if ok || err != nil || time.Now().After(deadline) {
			return ok, err
		}
		time.Sleep(20 * time.Millisecond)
	}
}
