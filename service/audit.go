package service

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sync"

	"github.com/studentlink/studentlink/backpack"
)

// Audit actions of the service, beside backpack's merge, split, handoff and request.
const (
	actionIdentity = "identity" // an Identities API call
	actionEnroll   = "enroll"   // an enrollment placed
	actionReview   = "review"   // a reviewer's decision
	actionView     = "view"     // a backpack shown to staff or a guardian
	actionAccess   = "access"   // a key, an account or a sign-in
)

// auditor keeps the service's audit chain: a backpack.Log holding every entry, whose
// entries are committed to the store's audit table before the call they record answers.
// Entries of calls that only read are committed together, as many as arrive while the
// previous transaction commits (a group commit); entries of a change are committed in the
// change's own transaction (Server.commit).
type auditor struct {
	mu        sync.Mutex
	log       *backpack.Log
	committed int    // entries of log known to be in the store
	batch     *batch // the entries appended since the last commit took its batch
	kick      chan struct{}
}

// batch is a group of appended entries committed in one transaction.
type batch struct {
	entries []backpack.Entry
	done    chan struct{}
	err     error
}

func newBatch() *batch { return &batch{done: make(chan struct{})} }

// loadAuditor reads the chain from the store and verifies it.
func loadAuditor(ctx context.Context, st *Store) (*auditor, error) {
	entries, err := st.auditEntries(ctx)
	if err != nil {
		return nil, err
	}
	log, err := backpack.NewLog(entries...)
	if err != nil {
		return nil, fmt.Errorf("service: the stored audit chain does not verify: %w", err)
	}
	return &auditor{log: log, committed: len(entries), batch: newBatch(), kick: make(chan struct{}, 1)}, nil
}

// append adds entries to the chain and returns the batch that will commit them.
func (a *auditor) append(entries ...backpack.Entry) (*batch, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, e := range entries {
		stored, err := a.log.Append(e)
		if err != nil {
			return nil, err
		}
		a.batch.entries = append(a.batch.entries, stored)
	}
	return a.batch, nil
}

// take hands the open batch to a committer and opens a new one.
func (a *auditor) take() *batch {
	a.mu.Lock()
	defer a.mu.Unlock()
	b := a.batch
	a.batch = newBatch()
	return b
}

// finish closes a committed (or failed) batch. After a failure the chain in memory is
// ahead of the store: it is cut back to the entries committed, and every batch appended
// since fails too (its entries chained onto the lost ones).
func (a *auditor) finish(b *batch, err error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	b.err = err
	close(b.done)
	if err == nil {
		a.committed += len(b.entries)
		return
	}
	later := a.batch
	a.batch = newBatch()
	later.err = fmt.Errorf("service: audit: an earlier commit failed: %w", err)
	close(later.done)
	kept, verr := backpack.NewLog(a.log.Entries()[:a.committed]...)
	if verr != nil { // cannot happen: these entries verified as they were appended
		panic(fmt.Sprintf("service: audit: the committed chain does not verify: %v", verr))
	}
	a.log = kept
}

// insertAudit writes entries to the audit table.
func (s *Store) insertAudit(ctx context.Context, tx *sql.Tx, entries []backpack.Entry) error {
	if len(entries) == 0 {
		return nil
	}
	stmt, err := tx.PrepareContext(ctx, s.q(`INSERT INTO audit (seq, entry, hash) VALUES (?, ?, ?)`))
	if err != nil {
		return err
	}
	defer stmt.Close()
	for _, e := range entries {
		body, err := json.Marshal(e)
		if err != nil {
			return err
		}
		if _, err := stmt.ExecContext(ctx, e.Seq, string(body), e.Hash); err != nil {
			return fmt.Errorf("audit entry %d: %w", e.Seq, err)
		}
	}
	return nil
}

// auditEntries reads the whole chain in order.
func (s *Store) auditEntries(ctx context.Context) ([]backpack.Entry, error) {
	return queryRows(ctx, s, "the audit log", `SELECT seq, entry FROM audit ORDER BY seq`, nil, func(r *sql.Rows) (backpack.Entry, error) {
		var seq int64
		var body string
		var e backpack.Entry
		if err := r.Scan(&seq, &body); err != nil {
			return e, err
		}
		if err := json.Unmarshal([]byte(body), &e); err != nil {
			return e, fmt.Errorf("service: audit entry %d is not JSON: %w", seq, err)
		}
		return e, nil
	})
}

// errAuditClosed is returned to calls waiting on an audit commit when the server stops.
var errAuditClosed = errors.New("service: the server is stopping")
