package service

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/studentlink/studentlink/backpack"
)

// Audit actions of the service, beside backpack's merge, split, handoff, request and view.
const (
	actionIdentity = "identity" // an Identities API call
	actionEnroll   = "enroll"   // an enrollment placed
	actionReview   = "review"   // a reviewer's decision
	actionAccess   = "access"   // a key, an account or a sign-in
	actionModel    = "model"    // the linker's model trained again (see retrain.go)
)

// auditor keeps the service's audit chain: a backpack.Chain (HMAC-chained under the
// state's key) links every entry, which is committed to the store's audit table before
// the call it records answers. The chain keeps no entry in memory, only its head: the
// store holds them.
// Entries of calls that only read are committed together, as many as arrive while the
// previous transaction commits (a group commit); entries of a change are committed in the
// change's own transaction (Server.commit).
type auditor struct {
	mu        sync.Mutex
	key       []byte
	chain     *backpack.Chain
	committed backpack.Checkpoint // the last entry known to be in the store
	// committedAt is the time of the committed entry: a chain continued from it (at start,
	// after a failed commit) stamps no entry earlier, however the clock was set back.
	committedAt time.Time
	// linkedAt is the time of the last entry linked (committedAt after a reset).
	linkedAt time.Time
	batch    *batch // the entries linked since the last commit took its batch
	kick     chan struct{}
}

// batch is a group of linked entries committed in one transaction.
type batch struct {
	entries []auditRow
	done    chan struct{}
	err     error
}

// auditRow is an entry as the audit table keeps it: its sequence number, its line (the
// entry's JSON) and its hash; at (the entry's time, in the line too) is not stored apart.
type auditRow struct {
	seq        int64
	line, hash string
	at         time.Time
}

func newBatch() *batch { return &batch{done: make(chan struct{})} }

// loadAuditor reads the chain from the store, verifies it under the key and continues it.
// It returns the entries too, for the anchor's check.
func loadAuditor(ctx context.Context, st *Store, key []byte) (*auditor, []backpack.Entry, error) {
	entries, err := st.auditEntries(ctx)
	if err != nil {
		return nil, nil, err
	}
	if err := backpack.VerifyChain(entries, key); err != nil {
		return nil, nil, fmt.Errorf("service: the stored audit chain does not verify under the key: %w", err)
	}
	var head backpack.Checkpoint
	var at time.Time
	if n := len(entries); n > 0 {
		head, at = backpack.Checkpoint{Seq: entries[n-1].Seq, Hash: entries[n-1].Hash}, entries[n-1].Time
	}
	chain, err := backpack.NewChainAt(key, head, at)
	if err != nil {
		return nil, nil, err
	}
	return &auditor{key: key, chain: chain, committed: head, committedAt: at, linkedAt: at, batch: newBatch(), kick: make(chan struct{}, 1)}, entries, nil
}

// head returns the last entry known to be in the store.
func (a *auditor) head() backpack.Checkpoint {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.committed
}

// append links entries to the chain and returns the batch that will commit them.
//
// The server stamps an entry (Server.now) before it reaches this lock, so two requests can
// reach the chain in the other order than they were stamped: the later-linked is dated as
// the entry before it, since the chain refuses a time before its predecessor's.
func (a *auditor) append(entries ...backpack.Entry) (*batch, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	entries = slices.Clone(entries)
	for i := range entries {
		if !entries[i].Time.IsZero() && entries[i].Time.Before(a.linkedAt) {
			entries[i].Time = a.linkedAt
		}
	}
	linked, lines, err := a.chain.Link(entries...)
	if err != nil {
		return nil, err
	}
	if n := len(linked); n > 0 {
		a.linkedAt = linked[n-1].Time
	}
	for i, e := range linked {
		a.batch.entries = append(a.batch.entries, auditRow{seq: e.Seq, line: string(lines[i]), hash: e.Hash, at: e.Time})
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
// ahead of the store: it is cut back to the entries committed, and every batch linked
// since fails too (its entries chained onto the lost ones).
func (a *auditor) finish(b *batch, err error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	b.err = err
	close(b.done)
	if err == nil {
		if n := len(b.entries); n > 0 {
			a.committed = backpack.Checkpoint{Seq: b.entries[n-1].seq, Hash: b.entries[n-1].hash}
			a.committedAt = b.entries[n-1].at
		}
		return
	}
	later := a.batch
	a.batch = newBatch()
	later.err = fmt.Errorf("service: audit: an earlier commit failed: %w", err)
	close(later.done)
	chain, err := backpack.NewChainAt(a.key, a.committed, a.committedAt)
	if err != nil { // cannot happen: the key made the chain at start
		panic(fmt.Sprintf("service: audit: the committed chain does not continue: %v", err))
	}
	a.chain, a.linkedAt = chain, a.committedAt
}

// auditRowsOf returns entries as the audit table keeps them.
func auditRowsOf(entries []backpack.Entry) ([]auditRow, error) {
	rows := make([]auditRow, len(entries))
	for i, e := range entries {
		line, err := json.Marshal(e)
		if err != nil {
			return nil, err
		}
		rows[i] = auditRow{seq: e.Seq, line: string(line), hash: e.Hash, at: e.Time}
	}
	return rows, nil
}

// auditRows is how many audit entries one INSERT writes at most.
const auditRows = 64

// insertAudit writes entries to the audit table, up to auditRows of them per statement
// (a statement per entry cost more than the commit of a group of searches).
func (s *Store) insertAudit(ctx context.Context, tx *sql.Tx, entries []auditRow) error {
	for len(entries) > 0 {
		n := min(len(entries), auditRows)
		var q strings.Builder
		q.WriteString(`INSERT INTO audit (seq, entry, hash) VALUES (?, ?, ?)`)
		args := make([]any, 0, 3*n)
		for _, e := range entries[:n] {
			if len(args) > 0 {
				q.WriteString(`, (?, ?, ?)`)
			}
			args = append(args, e.seq, e.line, e.hash)
		}
		if _, err := tx.ExecContext(ctx, s.q(q.String()), args...); err != nil {
			return fmt.Errorf("audit entries %d to %d: %w", entries[0].seq, entries[n-1].seq, err)
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
