package backpack

import "time"

// SetOpenLogWait sets how long OpenLog waits for another writer and returns the undo.
func SetOpenLogWait(d time.Duration) func() {
	old := openLogWait
	openLogWait = d
	return func() { openLogWait = old }
}
