package service

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/studentlink/studentlink/backpack"
)

// TestCommitManyAuditEntries: a commit of more audit entries than one INSERT writes
// stores them all, in order, and the chain verifies.
func TestCommitManyAuditEntries(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, Config{DB: filepath.Join(t.TempDir(), "s.db"), Seed: SampleSeed, AuditKey: []byte("the identity record test's audit key")})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	before, err := s.Audit(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var entries []backpack.Entry
	var want []string
	for i := range 2*auditRows + 3 {
		note := fmt.Sprintf("entry %d", i)
		entries = append(entries, backpack.Entry{Action: actionIdentity, Actor: "test", Note: note})
		want = append(want, note)
	}
	s.wmu.Lock()
	err = s.commit(ctx, entries, nil)
	s.wmu.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	after, err := s.Audit(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range after[len(before):] {
		got = append(got, e.Note)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("stored entries (-committed +stored):\n%s", diff)
	}
}
