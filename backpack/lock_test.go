package backpack_test

import (
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/studentlink/studentlink/backpack"
)

// Writers that open one log at once take turns: each waits for the one before to close
// it, so the chain stays one chain (without the lock, each appended after the head it
// read and the log forked for good). Run with -race.
func TestOpenLogOneWriterAtATime(t *testing.T) {
	dir := t.TempDir()
	path, anchor := filepath.Join(dir, "audit.jsonl"), filepath.Join(dir, "audit.anchor")
	const writers, each = 3, 5
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			log, err := backpack.OpenLog(path, anchor, auditKey)
			if err != nil {
				t.Error(err)
				return
			}
			defer log.Close()
			for k := range each {
				if _, err := log.Append(backpack.Entry{Action: "view", Actor: fmt.Sprintf("writer-%d-%d", w, k)}); err != nil {
					t.Error(err)
					return
				}
				time.Sleep(time.Millisecond) // let the others try to get in
			}
		}()
	}
	wg.Wait()
	head, err := backpack.VerifyFile(path, anchor, auditKey)
	if err != nil {
		t.Fatalf("the log no longer verifies: %v", err)
	}
	if head.Seq != writers*each {
		t.Errorf("%d entries verify, want %d", head.Seq, writers*each)
	}
}

// A second writer waits while the first holds the log, and fails with ErrLogBusy if it
// keeps it longer than OpenLog waits; once the first closes, it gets in.
func TestOpenLogBusy(t *testing.T) {
	defer backpack.SetOpenLogWait(100 * time.Millisecond)()
	dir := t.TempDir()
	path, anchor := filepath.Join(dir, "audit.jsonl"), filepath.Join(dir, "audit.anchor")
	first, err := backpack.OpenLog(path, anchor, auditKey)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := first.Append(backpack.Entry{Action: "view", Actor: "first"}); err != nil {
		t.Fatal(err)
	}
	if _, err := backpack.OpenLog(path, anchor, auditKey); !errors.Is(err, backpack.ErrLogBusy) {
		t.Fatalf("a second writer while the first holds the log: %v", err)
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	second, err := backpack.OpenLog(path, anchor, auditKey)
	if err != nil {
		t.Fatalf("after the first closed: %v", err)
	}
	defer second.Close()
	if e, err := second.Append(backpack.Entry{Action: "view", Actor: "second"}); err != nil || e.Seq != 2 {
		t.Errorf("the second writer appended %+v, %v: want entry 2", e, err)
	}
}
