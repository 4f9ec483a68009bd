package service

// The search guard's counts in the store: each variant an LEA sent that named a student
// ("s" and the student ID), with when it was last sent (rows "n" and a folded name, of
// a per-name count the guard no longer keeps, are skipped). A start reads the last window's back; a background loop writes what calls
// changed every guardSaveEvery and at a stop, off the searches' path (a write per search
// took search at 10^6 records from 10,700 to 980 a second). A crash loses at most the
// last guardSaveEvery of counts.

import (
	"context"
	"database/sql"
	"encoding/hex"
	"time"
)

// guardRow is one count of the search guard: an LEA's variant of a subject, last sent at.
type guardRow struct {
	lea, subject, variant string
	at                    time.Time
}

// takePending returns the counts changed since the last call and forgets them.
func (g *searchGuard) takePending() []guardRow {
	g.mu.Lock()
	defer g.mu.Unlock()
	out := g.pending
	g.pending = nil
	return out
}

// restore puts rows read from the store back into the guard's counts (a start's).
func (g *searchGuard) restore(rows []guardRow) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, r := range rows {
		m := g.students
		k := r.lea + "\x00" + r.subject[1:]
		if m[k] == nil {
			m[k] = map[string]time.Time{}
		}
		if at, ok := m[k][r.variant]; !ok || r.at.After(at) {
			m[k][r.variant] = r.at
		}
	}
}

// saveGuard writes the guard's changed counts to the store (lazily committed, as a
// read's audit is), and forgets there the counts older than the window.
func (s *Server) saveGuard(ctx context.Context) error {
	rows := s.guard.takePending()
	if len(rows) == 0 {
		return nil
	}
	cutoff := s.now().Add(-s.guard.limit.Window).UnixNano()
	return s.store.inTxSync(ctx, false, func(tx *sql.Tx) error {
		for _, r := range rows {
			if _, err := tx.ExecContext(ctx, s.store.q(`INSERT INTO search_variants (lea, subject, variant, at) VALUES (?, ?, ?, ?)
				ON CONFLICT (lea, subject, variant) DO UPDATE SET at = excluded.at`),
				r.lea, hex.EncodeToString([]byte(r.subject)), hex.EncodeToString([]byte(r.variant)), r.at.UnixNano()); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, s.store.q(`DELETE FROM search_variants WHERE at <= ?`), cutoff)
		return err
	})
}

// guardSaveEvery is how often the guard's changed counts are written.
const guardSaveEvery = time.Second

// saveGuardLoop writes the guard's changed counts every guardSaveEvery, and once more at
// the stop.
func (s *Server) saveGuardLoop() {
	defer s.wg.Done()
	tick := time.NewTicker(guardSaveEvery)
	defer tick.Stop()
	for {
		select {
		case <-s.stop:
			if err := s.saveGuard(context.Background()); err != nil {
				s.logf("service: saving the search guard's counts at stop: %v", err)
			}
			return
		case <-tick.C:
			if err := s.saveGuard(context.Background()); err != nil {
				s.logf("service: saving the search guard's counts: %v", err)
			}
		}
	}
}

// loadGuard reads the store's counts of the last window into the guard.
func (s *Server) loadGuard(ctx context.Context) error {
	cutoff := s.now().Add(-s.guard.limit.Window).UnixNano()
	rs, err := s.store.db.QueryContext(ctx, s.store.q(`SELECT lea, subject, variant, at FROM search_variants WHERE at > ?`), cutoff)
	if err != nil {
		return err
	}
	defer rs.Close()
	var rows []guardRow
	for rs.Next() {
		var lea, subject, variant string
		var at int64
		if err := rs.Scan(&lea, &subject, &variant, &at); err != nil {
			return err
		}
		sb, err1 := hex.DecodeString(subject)
		vb, err2 := hex.DecodeString(variant)
		if err1 != nil || err2 != nil || len(sb) < 2 || sb[0] != 's' {
			continue // not a row saveGuard writes
		}
		rows = append(rows, guardRow{lea, string(sb), string(vb), time.Unix(0, at)})
	}
	if err := rs.Err(); err != nil {
		return err
	}
	s.guard.restore(rows)
	return nil
}
