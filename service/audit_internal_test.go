package service

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/studentlink/studentlink/backpack"
)

// TestCommitManyAuditEntries: a commit of more audit entries than one INSERT writes
// stores them all, in order, and the chain verifies.
func TestCommitManyAuditEntries(t *testing.T) {
	ctx := context.Background()
	s, before := openAudited(t, Config{AuditKey: []byte("the identity record test's audit key")})
	var entries []backpack.Entry
	var want []string
	for i := range 2*auditRows + 3 {
		note := fmt.Sprintf("entry %d", i)
		entries = append(entries, backpack.Entry{Action: actionIdentity, Actor: "test", Note: note})
		want = append(want, note)
	}
	s.wmu.Lock()
	err := s.commit(ctx, entries, nil)
	s.wmu.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	_, got := notesSince(t, s, before)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("stored entries (-committed +stored):\n%s", diff)
	}
}

// TestReadCommitDelay: reads' entries, committed at once or after waiting for others to
// share the transaction, are all stored before record returns; a server closed while a
// read waits out its delay still stores the read's entry.
func TestReadCommitDelay(t *testing.T) {
	ctx := context.Background()
	key := []byte("the read commit delay test's audit key")
	for _, delay := range []time.Duration{-1, 5 * time.Millisecond} {
		t.Run(delay.String(), func(t *testing.T) {
			s, before := openAudited(t, Config{AuditKey: key, ReadCommitDelay: delay})
			const reads = 24
			var wg sync.WaitGroup
			errs := make([]error, reads)
			for i := range reads {
				wg.Add(1)
				go func() {
					defer wg.Done()
					errs[i] = s.record(ctx, backpack.Entry{Action: actionIdentity, Actor: "test", Note: fmt.Sprintf("read %02d", i)})
				}()
			}
			wg.Wait()
			after, got := notesSince(t, s, before)
			var want []string
			for i := range reads {
				if errs[i] != nil {
					t.Errorf("read %d: %v", i, errs[i])
				}
				want = append(want, fmt.Sprintf("read %02d", i))
			}
			slices.Sort(got) // chained in the order the reads came
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("stored entries (-recorded +stored):\n%s", d)
			}
			if err := backpack.VerifyChain(after, key); err != nil {
				t.Error(err)
			}
		})
	}
	t.Run("closed while waiting", func(t *testing.T) {
		db := filepath.Join(t.TempDir(), "s.db")
		s, err := Open(ctx, Config{DB: db, Seed: SampleSeed, AuditKey: key, ReadCommitDelay: time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() {
			done <- s.record(ctx, backpack.Entry{Action: actionIdentity, Actor: "test", Note: "the last read"})
		}()
		for linked := false; !linked; { // the entry is chained, its commit waits out the hour
			s.audit.mu.Lock()
			linked = len(s.audit.batch.entries) > 0
			s.audit.mu.Unlock()
			runtime.Gosched()
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		if err := <-done; err != nil && !errors.Is(err, errAuditClosed) {
			t.Errorf("record: %v", err)
		}
		s, err = Open(ctx, Config{DB: db, AuditKey: key})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		entries, err := s.Audit(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n := len(entries); n == 0 || entries[n-1].Note != "the last read" {
			t.Errorf("the read's entry was not stored: the log ends %+v", entries[max(0, n-1):])
		}
	})
}

// openAudited opens a server on a new SQLite store with the sample seed (cfg's DB and
// Seed are set here), closed when the test ends, and returns it with its audit log.
func openAudited(t *testing.T, cfg Config) (*Server, []backpack.Entry) {
	t.Helper()
	cfg.DB, cfg.Seed = filepath.Join(t.TempDir(), "s.db"), SampleSeed
	s, err := Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	entries, err := s.Audit(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return s, entries
}

// notesSince returns the server's audit log and the notes of its entries after before.
func notesSince(t *testing.T, s *Server, before []backpack.Entry) ([]backpack.Entry, []string) {
	t.Helper()
	after, err := s.Audit(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var notes []string
	for _, e := range after[len(before):] {
		notes = append(notes, e.Note)
	}
	return after, notes
}

// TestAuditClockBackAcrossReopen: the head entry is dated ahead of the clock (a clock set
// back since it was written); after a restart and after a failed commit, the chain is
// continued at the head's time, so the next entries are stamped no earlier and the
// stored chain verifies at the next start (it did not: "the stored audit chain does not
// verify").
func TestAuditClockBackAcrossReopen(t *testing.T) {
	ctx := context.Background()
	cfg := Config{AuditKey: []byte("the clock-back test's audit key, 32+"), DB: filepath.Join(t.TempDir(), "s.db"), Seed: SampleSeed}
	ahead := time.Now().UTC().Add(3 * time.Minute).Round(0) // within backpack's clock skew
	open := func() *Server { return mustOpen(t, cfg) }
	commit := func(s *Server, e backpack.Entry) { commitEntry(t, s, e) }
	s := open()
	commit(s, backpack.Entry{Action: actionAccess, Actor: "test", Note: "ahead", Time: ahead})
	s.Close()

	s = open()
	commit(s, backpack.Entry{Action: actionAccess, Actor: "test", Note: "after the restart"})
	// A failed commit cuts the chain back to the head: it still knows the head's time.
	s.wmu.Lock()
	if _, err := s.audit.append(backpack.Entry{Action: actionAccess, Actor: "test", Note: "lost"}); err != nil {
		t.Fatal(err)
	}
	s.audit.finish(s.audit.take(), errors.New("the disk is full"))
	s.wmu.Unlock()
	commit(s, backpack.Entry{Action: actionAccess, Actor: "test", Note: "after the failed commit"})
	entries, err := s.Audit(ctx)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	var got []time.Time
	for _, e := range entries[len(entries)-3:] {
		got = append(got, e.Time)
	}
	if diff := cmp.Diff([]time.Time{ahead, ahead, ahead}, got); diff != "" {
		t.Errorf("times of the last three entries (-want +got):\n%s", diff)
	}
	s = open() // verifies the stored chain
	s.Close()
}

// TestServerClockSteppedBack: the server's clock steps back an hour while it runs and
// stays back across a restart; changes stamped by the server still commit (dated no
// earlier than the entries before them) and the stored chain verifies at the next start.
func TestServerClockSteppedBack(t *testing.T) {
	var mu sync.Mutex
	clock := time.Now().UTC().Round(0)
	setClock := func(d time.Duration) {
		mu.Lock()
		defer mu.Unlock()
		clock = clock.Add(d)
	}
	cfg := Config{AuditKey: []byte("the clock-step test's audit key, 32+"), DB: filepath.Join(t.TempDir(), "s.db"), Seed: SampleSeed,
		Now: func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }}
	open := func() *Server { return mustOpen(t, cfg) }
	commit := func(s *Server, note string) {
		commitEntry(t, s, backpack.Entry{Action: actionAccess, Actor: "test", Note: note, Time: s.now()})
	}
	s := open()
	commit(s, "before the step")
	setClock(-time.Hour)
	commit(s, "after the step")
	s.Close()
	s = open()
	commit(s, "after the restart")
	s.Close()
	s = open() // verifies the stored chain
	s.Close()
}

// mustOpen opens a server on cfg (verifying its stored chain) or fails the test.
func mustOpen(t *testing.T, cfg Config) *Server {
	t.Helper()
	s, err := Open(context.Background(), cfg)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return s
}

// commitEntry commits one audit entry as a change would, under the write lock.
func commitEntry(t *testing.T, s *Server, e backpack.Entry) {
	t.Helper()
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if err := s.commit(context.Background(), []backpack.Entry{e}, nil); err != nil {
		t.Fatalf("%s: %v", e.Note, err)
	}
}

// TestAuditorOrdersConcurrentStamps: two requests stamped a moment apart reach the chain
// in the other order (the server stamps before it links); the later-linked is dated as
// the one before it, both commit, and the stored chain verifies.
func TestAuditorOrdersConcurrentStamps(t *testing.T) {
	cfg := Config{AuditKey: []byte("the concurrent stamps test's audit key, 32+"), DB: filepath.Join(t.TempDir(), "s.db"), Seed: SampleSeed}
	s := mustOpen(t, cfg)
	now := s.now()
	commitEntry(t, s, backpack.Entry{Action: actionAccess, Actor: "second", Note: "stamped second, linked first", Time: now.Add(time.Millisecond)})
	commitEntry(t, s, backpack.Entry{Action: actionAccess, Actor: "first", Note: "stamped first, linked second", Time: now})
	s.Close()
	mustOpen(t, cfg).Close() // verifies the stored chain
}
