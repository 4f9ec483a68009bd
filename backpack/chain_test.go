package backpack_test

import (
	"encoding/json"
	"math"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/studentlink/studentlink/backpack"
)

// TestChainAsLog: a Chain continued from a log's head links entries exactly as the log
// appends them, gives each one's line as the log writes it, and keeps none of them.
func TestChainAsLog(t *testing.T) {
	key := []byte("a chain test key of enough bytes")
	at := time.Date(2024, 6, 30, 12, 0, 0, 0, time.UTC)
	now := func() time.Time { return at }
	w := 2.5
	first := []backpack.Entry{{Action: backpack.ActionMerge, Actor: "linker", Records: []string{"a", "b"}, Weight: &w}}
	next := []backpack.Entry{
		{Action: "identity", Actor: "LEA 01", Note: `search: "quoted", ünïcödé`},
		{Action: backpack.ActionView, Actor: "staff 1", StudentID: "S1", Time: at.Add(time.Minute).In(time.FixedZone("X", 3600))},
	}
	log, err := backpack.NewLog(key)
	if err != nil {
		t.Fatal(err)
	}
	log.Now = now
	if _, err := log.AppendBatch(first...); err != nil {
		t.Fatal(err)
	}
	chain, err := backpack.NewChain(key, log.Head())
	if err != nil {
		t.Fatal(err)
	}
	chain.Now = now
	got, lines, err := chain.Link(next...)
	if err != nil {
		t.Fatal(err)
	}
	want, err := log.AppendBatch(next...)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Chain.Link differs from Log.AppendBatch (-log +chain):\n%s", diff)
	}
	for i, e := range want {
		if line, _ := json.Marshal(e); string(line) != string(lines[i]) {
			t.Errorf("line %d: %s, want %s", i, lines[i], line)
		}
	}
	if chain.Head() != log.Head() {
		t.Errorf("chain head %+v, log head %+v", chain.Head(), log.Head())
	}
	all, _ := log.Entries()
	if err := backpack.VerifyChain(all, key); err != nil {
		t.Error(err)
	}

	// An entry the log refuses is refused, and the head does not move.
	head := chain.Head()
	nan := math.NaN()
	for _, bad := range []backpack.Entry{{Action: "identity"}, {Action: "x", Actor: "y", Weight: &nan}, {Action: "x", Actor: "y", Note: "\xff"}} {
		if _, _, err := chain.Link(backpack.Entry{Action: "identity", Actor: "ok"}, bad); err == nil {
			t.Errorf("%+v: linked", bad)
		}
	}
	if chain.Head() != head {
		t.Errorf("a refused entry moved the head from %+v to %+v", head, chain.Head())
	}
	if _, err := backpack.NewChain([]byte("short"), head); err == nil {
		t.Error("a short key: no error")
	}
}
