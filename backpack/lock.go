package backpack

import (
	"os"
	"time"
)

// lockWithin takes f's exclusive lock (tryLock), trying again every 20 ms until wait has
// passed: false when another open file still holds it then.
func lockWithin(f *os.File, wait time.Duration) (bool, error) {
	deadline := time.Now().Add(wait)
	for {
		ok, err := tryLock(f)
		if ok || err != nil || time.Now().After(deadline) {
			return ok, err
		}
		time.Sleep(20 * time.Millisecond)
	}
}
