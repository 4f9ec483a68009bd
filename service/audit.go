package service

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/studentlink/studentlink/backpack"
)

// Audit actions of the service, beside backpack's merge, split, handoff, request and view.
const (
	actionIdentity = "identity" // an Identities API call
	actionEnroll   = "enroll"   // an enrollment placed
	actionReview   = "review"   // a reviewer's decision
	actionAccess   = "access"   // a key, an account or a sign-in
)

// auditor keeps the service's audit chain: a backpack.Log (HMAC-chained under the state's
// key) holding every entry, whose entries are committed to the store's audit table before
// the call they record answers.
// Entries of calls that only read are committed together, as many as arrive while the
// previous transaction commits (a group commit); entries of a change are committed in the
// change's own transaction (Server.commit).
type auditor struct {
	mu        sync.Mutex
	key       []byte
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

// loadAuditor reads the chain from the store and verifies it under the key.
func loadAuditor(ctx context.Context, st *Store, key []byte) (*auditor, error) {
	entries, err := st.auditEntries(ctx)
	if err != nil {
		return nil, err
	}
	log, err := restoreLog(key, entries)
	if err != nil {
		return nil, err
	}
	return &auditor{key: key, log: log, committed: len(entries), batch: newBatch(), kick: make(chan struct{}, 1)}, nil
}

// restoreLog returns an in-memory backpack.Log continuing a verified chain. backpack
// offers no way to open an in-memory log on stored entries, so the entries are appended
// again, which recomputes every link under the key: the links must come out as stored.
func restoreLog(key []byte, entries []backpack.Entry) (*backpack.Log, error) {
	if err := backpack.VerifyChain(entries, key); err != nil {
		return nil, fmt.Errorf("service: the stored audit chain does not verify under the key: %w", err)
	}
	log, err := backpack.NewLog(key)
	if err != nil {
		return nil, err
	}
	again := make([]backpack.Entry, len(entries))
	for i, e := range entries {
		e.Seq, e.Prev, e.Hash = 0, "", ""
		again[i] = e
	}
	got, err := log.AppendBatch(again...)
	if err != nil {
		return nil, fmt.Errorf("service: restoring the audit chain: %w", err)
	}
	for i := range got {
		if got[i].Hash != entries[i].Hash {
			return nil, fmt.Errorf("service: restoring the audit chain: entry %d links differently when appended again", entries[i].Seq)
		}
	}
	return log, nil
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
	all, err := a.log.Entries()
	if err == nil {
		a.log, err = restoreLog(a.key, all[:a.committed])
	}
	if err != nil { // cannot happen: an in-memory log's entries verified as they were appended
		panic(fmt.Sprintf("service: audit: the committed chain does not restore: %v", err))
	}
}

// auditRows is how many audit entries one INSERT writes at most.
const auditRows = 64

// insertAudit writes entries to the audit table, up to auditRows of them per statement
// (a statement per entry cost more than the commit of a group of searches).
func (s *Store) insertAudit(ctx context.Context, tx *sql.Tx, entries []backpack.Entry) error {
	for len(entries) > 0 {
		n := min(len(entries), auditRows)
		var q strings.Builder
		q.WriteString(`INSERT INTO audit (seq, entry, hash) VALUES (?, ?, ?)`)
		args := make([]any, 0, 3*n)
		for _, e := range entries[:n] {
			body, err := json.Marshal(e)
			if err != nil {
				return err
			}
			if len(args) > 0 {
				q.WriteString(`, (?, ?, ?)`)
			}
			args = append(args, e.Seq, string(body), e.Hash)
		}
		if _, err := tx.ExecContext(ctx, s.q(q.String()), args...); err != nil {
			return fmt.Errorf("audit entries %d to %d: %w", entries[0].Seq, entries[n-1].Seq, err)
		}
		entries = entries[n:]
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
