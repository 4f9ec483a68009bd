package service

// Relinking runs the linker again over every placed record, honouring every reviewer's
// decision, and keeps student IDs stable: match gives each student the ID most of its
// records had. What changes (students merged or split by decisions the index could not
// apply on its own) is committed with its audit entries and the index is rebuilt.

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/studentlink/studentlink/backpack"
	"github.com/studentlink/studentlink/match"
)

// RelinkReport says what a relink changed.
type RelinkReport struct {
	Records  int              // records linked
	Students int              // students after the relink
	Moved    int              // records whose student changed
	Changes  []match.IDChange // students merged or split
	Retired  []string         // student IDs merged away, now redirecting
	Queued   int              // pairs newly queued for review
}

// Relink runs the linker over every placed record with the reviewers' decisions and
// the students' current IDs, applies the result and rebuilds the index. Changes wait
// meanwhile; searches go on against the old index until the new one replaces it.
func (s *Server) Relink(ctx context.Context, by string) (RelinkReport, error) {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	var rep RelinkReport
	roll, opt, err := s.placedRun(ctx, s.linker.Settings())
	if err != nil {
		return rep, err
	}
	ids, earlier, decisions := roll.IDs, opt.EarlierIDs, opt.Decisions
	res, err := s.linker.Run(ctx, roll, opt)
	if err != nil {
		return rep, err
	}
	rep.Records, rep.Students, rep.Changes = len(ids), len(res.StudentIDs), res.IDChanges
	now := s.now()
	type move struct{ record, student string }
	var moves []move
	for i, id := range ids {
		if sid := res.StudentIDs[res.Label[i]]; sid != earlier[id] {
			moves = append(moves, move{id, sid})
		}
	}
	rep.Moved = len(moves)
	retire := map[string]string{}
	entries := []backpack.Entry{}
	for _, c := range res.IDChanges {
		action := backpack.ActionSplit
		if c.Kind == "merged" {
			action = backpack.ActionMerge
			for _, old := range c.Earlier {
				if old != c.Now[0] {
					retire[old] = c.Now[0]
					rep.Retired = append(rep.Retired, old)
				}
			}
		}
		entries = append(entries, backpack.Entry{Action: action, Actor: by, StudentID: strings.Join(c.Now, " "),
			SettingsVersion: s.linker.Settings().Version, Note: "relink: " + c.String()})
	}
	known, err := s.store.reviewsWhere(ctx, `1 = 1`)
	if err != nil {
		return rep, err
	}
	queued := map[[2]string]bool{}
	for _, rv := range known {
		queued[[2]string{rv.A, rv.B}], queued[[2]string{rv.B, rv.A}] = true, true
	}
	var fresh []reviewRow
	for _, it := range res.Review {
		if queued[[2]string{it.A, it.B}] {
			continue
		}
		r, err := runReview(it, s.reviewSeq+int64(len(fresh))+1, now)
		if err != nil {
			return rep, err
		}
		fresh = append(fresh, r)
		queued[[2]string{it.A, it.B}] = true
	}
	rep.Queued = len(fresh)
	entries = append([]backpack.Entry{{Action: actionReview, Actor: by, SettingsVersion: s.linker.Settings().Version,
		Note: fmt.Sprintf("relink of %d records with %d decisions: %d students, %d records moved, %d merged or split, %d pairs newly queued",
			rep.Records, len(decisions), rep.Students, rep.Moved, len(rep.Changes), rep.Queued)}}, entries...)
	err = s.commit(ctx, entries, func(tx *sql.Tx) error {
		for _, m := range moves {
			if err := s.store.setStudent(ctx, tx, m.record, m.student); err != nil {
				return err
			}
		}
		for old, to := range retire {
			if err := s.store.retire(ctx, tx, old, to, "relink", now); err != nil {
				return err
			}
		}
		for _, r := range fresh {
			if err := s.store.insertReview(ctx, tx, r); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return rep, err
	}
	s.reviewSeq += int64(len(fresh))
	for old, to := range retire {
		s.noteRetired(old, to)
	}
	if rep.Moved == 0 {
		return rep, nil
	}
	lines, students, err := s.store.placedRecords(ctx)
	if err != nil {
		return rep, err
	}
	index, err := buildIndex(ctx, s.linker, lines, students)
	if err != nil {
		return rep, fmt.Errorf("service: the relink is committed but the index could not be rebuilt (a restart rebuilds it): %w", err)
	}
	s.index.Store(index)
	return rep, nil
}

// placedRun is what a run over every placed record takes: the roll of those records
// under the settings, and the options that keep student IDs stable (each record's
// current student, following retired IDs) and honour every reviewer's decision. Relink
// runs it; a start whose stored model a library upgrade refused trains on it (see
// retrain.go). It reads s.retired, which must be loaded.
func (s *Server) placedRun(ctx context.Context, settings match.Settings) (*match.Roll, match.RunOptions, error) {
	var opt match.RunOptions
	lines, students, err := s.store.placedRecords(ctx)
	if err != nil {
		return nil, opt, err
	}
	roll, err := rollOf(settings, "store", lines)
	if err != nil {
		return nil, opt, err
	}
	earlier := make(map[string]string, len(roll.IDs))
	for i, id := range roll.IDs {
		earlier[id] = s.resolve(students[i])
	}
	decided, err := s.store.reviewsWhere(ctx, `status <> ?`, reviewPending)
	if err != nil {
		return nil, opt, err
	}
	var decisions []match.Decision
	for _, rv := range decided {
		if _, ok := earlier[rv.A]; !ok {
			continue // an enrollment decided before its record was placed: it is now
		}
		decisions = append(decisions, match.Decision{A: rv.A, B: rv.B, Same: rv.Status == reviewSame, By: rv.DecidedBy, At: rv.Decided, Where: "review " + rv.ID})
	}
	return roll, match.RunOptions{EarlierIDs: earlier, Decisions: decisions}, nil
}
