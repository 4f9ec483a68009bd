package backpack_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/studentlink/studentlink/backpack"
)

// fixedClock returns a Now that always says at.
func fixedClock(at time.Time) func() time.Time { return func() time.Time { return at } }

// timesOf returns the entries' times.
func timesOf(es []backpack.Entry) []time.Time {
	out := make([]time.Time, len(es))
	for i, e := range es {
		out[i] = e.Time
	}
	return out
}

// A clock stepped back across a restart: the reopened log stamps its next entries with
// the last entry's time (not refused, not out of order), and the log verifies and opens
// again under any clock. A caller's time before the last entry's is still refused.
func TestAuditClockBackAcrossRestart(t *testing.T) {
	dir := t.TempDir()
	path, anchor := filepath.Join(dir, "audit.jsonl"), filepath.Join(dir, "audit.anchor")
	log, err := backpack.OpenLog(path, anchor, auditKey)
	if err != nil {
		t.Fatal(err)
	}
	log.Now = fixedClock(t0.Add(time.Hour))
	if _, err := log.Append(backpack.Entry{Action: backpack.ActionMerge, Actor: "a"}); err != nil {
		t.Fatal(err)
	}
	log.Close()

	log, err = backpack.OpenLog(path, anchor, auditKey)
	if err != nil {
		t.Fatal(err)
	}
	log.Now = fixedClock(t0) // an hour back
	if _, err := log.Append(backpack.Entry{Action: backpack.ActionMerge, Actor: "b"}); err != nil {
		t.Fatalf("a stamped entry after the clock went back: %v", err)
	}
	if _, err := log.Append(backpack.Entry{Action: backpack.ActionMerge, Actor: "c", Time: t0}); err == nil {
		t.Error("a caller's time before the last entry's was accepted after a reopen")
	}
	es := entriesOf(t, log)
	log.Close()
	want := []time.Time{t0.Add(time.Hour), t0.Add(time.Hour)}
	if diff := cmp.Diff(want, timesOf(es)); diff != "" {
		t.Errorf("times (-want +got):\n%s", diff)
	}
	if _, err := backpack.VerifyFile(path, anchor, auditKey); err != nil {
		t.Errorf("VerifyFile: %v", err)
	}
	log, err = backpack.OpenLog(path, anchor, auditKey)
	if err != nil {
		t.Fatalf("the log does not open again: %v", err)
	}
	log.Close()
}

// A chain continued from a stored head (as the service does at start and after a failed
// commit) knows the head's time through NewChainAt: with the clock stepped back, entries
// are stamped with that time, a caller's earlier time is refused, and the whole chain
// verifies.
func TestChainContinuedClockBack(t *testing.T) {
	first, err := backpack.NewChain(auditKey, backpack.Checkpoint{})
	if err != nil {
		t.Fatal(err)
	}
	first.Now = fixedClock(t0.Add(time.Hour))
	stored, _, err := first.Link(backpack.Entry{Action: backpack.ActionMerge, Actor: "a"})
	if err != nil {
		t.Fatal(err)
	}
	head := stored[0]
	next, err := backpack.NewChainAt(auditKey, backpack.Checkpoint{Seq: head.Seq, Hash: head.Hash}, head.Time)
	if err != nil {
		t.Fatal(err)
	}
	next.Now = fixedClock(t0) // the restarted machine's clock is an hour behind
	more, _, err := next.Link(backpack.Entry{Action: backpack.ActionMerge, Actor: "b"})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := next.Link(backpack.Entry{Action: backpack.ActionMerge, Actor: "c", Time: t0}); err == nil {
		t.Error("a caller's time before the head's was accepted")
	}
	all := append(stored, more...)
	if diff := cmp.Diff([]time.Time{t0.Add(time.Hour), t0.Add(time.Hour)}, timesOf(all)); diff != "" {
		t.Errorf("times (-want +got):\n%s", diff)
	}
	if err := backpack.VerifyChain(all, auditKey); err != nil {
		t.Errorf("VerifyChain: %v", err)
	}
}

// A clock running ahead writes entries dated after the verifier's now: they verify and
// open at once, not when the real clock catches up.
func TestAuditClockAhead(t *testing.T) {
	dir := t.TempDir()
	path, anchor := filepath.Join(dir, "audit.jsonl"), filepath.Join(dir, "audit.anchor")
	log, err := backpack.OpenLog(path, anchor, auditKey)
	if err != nil {
		t.Fatal(err)
	}
	ahead := time.Now().Add(24 * time.Hour)
	log.Now = fixedClock(ahead)
	if _, err := log.Append(backpack.Entry{Action: backpack.ActionMerge, Actor: "a"}); err != nil {
		t.Fatal(err)
	}
	log.Close()
	if _, err := backpack.VerifyFile(path, anchor, auditKey); err != nil {
		t.Errorf("VerifyFile: %v", err)
	}
	log, err = backpack.OpenLog(path, anchor, auditKey)
	if err != nil {
		t.Fatalf("OpenLog: %v", err)
	}
	defer log.Close()
	// The real clock is behind the last entry: the next stamp keeps the order.
	e, err := log.Append(backpack.Entry{Action: backpack.ActionMerge, Actor: "b"})
	if err != nil {
		t.Fatal(err)
	}
	if e.Time.Before(ahead.UTC().Round(0)) {
		t.Errorf("stamped %s, before the entry before's %s", e.Time, ahead)
	}
}

// A log written before Append refused times out of order (entry 2 dated 1999, entry 3 in
// 2999) opens, verifies and takes further entries.
func TestOldOutOfOrderLogOpens(t *testing.T) {
	dir, es := fileLog(t)
	path, anchor := filepath.Join(dir, "audit.jsonl"), filepath.Join(dir, "audit.anchor")
	old := deepCopy(es)
	old[2].Time = time.Date(1999, 1, 1, 0, 0, 0, 0, time.UTC)
	old[3].Time = time.Date(2999, 1, 1, 0, 0, 0, 0, time.UTC)
	old = forge(old, 2, hmacMac(auditKey))
	var b strings.Builder
	for _, e := range old {
		b.WriteString(lineOf(e))
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	head, _ := json.Marshal(backpack.Checkpoint{Seq: old[4].Seq, Hash: old[4].Hash})
	if err := os.WriteFile(anchor, append(head, '\n'), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := backpack.VerifyChain(old, auditKey); err != nil {
		t.Errorf("VerifyChain: %v", err)
	}
	if _, err := backpack.VerifyFile(path, anchor, auditKey); err != nil {
		t.Errorf("VerifyFile: %v", err)
	}
	log, err := backpack.OpenLog(path, anchor, auditKey)
	if err != nil {
		t.Fatalf("OpenLog: %v", err)
	}
	defer log.Close()
	if _, err := log.Append(backpack.Entry{Action: backpack.ActionMerge, Actor: "a"}); err != nil {
		t.Errorf("Append after the old log: %v", err)
	}
}
