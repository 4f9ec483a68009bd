package service

// Reviewers decide the pairs the index or the linking run could not: an enrollment
// between the thresholds waits unplaced until decided; a pair of placed records merges
// two students when decided the same (the later student's ID is retired and redirects),
// and a decision that splits a student takes effect at the next relink.

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/studentlink/studentlink/backpack"
	"github.com/studentlink/studentlink/match"
	"github.com/studentlink/studentlink/score"
)

// Decision outcomes.
const (
	decidedPlaced  = "placed"  // an enrollment joined a student or became a new one
	decidedMerged  = "merged"  // two students became one
	decidedKept    = "kept"    // nothing to change: the records already stood as decided
	decidedPending = "pending" // a split, recorded for the next relink
)

// ReviewDecision is the outcome of a decided review.
type ReviewDecision struct {
	ReviewID string `json:"reviewId"`
	Same     bool   `json:"same"`
	Outcome  string `json:"outcome"`
	// Student is where the records now are (for a merge, the survivor).
	Student string `json:"studentUniqueId,omitempty"`
	// Retired is the student ID a merge retired.
	Retired string `json:"retired,omitempty"`
}

// ErrDecided refuses a decision on a review already decided.
var ErrDecided = errors.New("the review was already decided")

// errNoReview is a review that does not exist.
var errNoReview = errors.New("no such review")

// Why a decision about two records cannot be made: one of them is unknown, or not yet
// placed with a student (it waits for a review).
var (
	ErrNoRecord  = errors.New("no such record")
	ErrNotPlaced = errors.New("the record is not placed with a student yet: it waits for a review")
)

// RecordError is a decision refused because of one of its records.
type RecordError struct {
	Record string
	Err    error // ErrNoRecord or ErrNotPlaced
}

func (e *RecordError) Error() string {
	if errors.Is(e.Err, ErrNoRecord) {
		return fmt.Sprintf("no record %q", e.Record)
	}
	return fmt.Sprintf("record %q: %v", e.Record, e.Err)
}

func (e *RecordError) Unwrap() error { return e.Err }

// errSameRecord refuses a decision about a record and itself.
var errSameRecord = errors.New("a decision is about two records")

// Decide records a reviewer's decision on a review and applies it.
func (s *Server) Decide(ctx context.Context, reviewID string, same bool, by string) (ReviewDecision, error) {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	rv, ok, err := s.store.review(ctx, reviewID)
	if err != nil {
		return ReviewDecision{}, err
	}
	if !ok {
		return ReviewDecision{}, fmt.Errorf("review %q: %w", reviewID, errNoReview)
	}
	if rv.Status != reviewPending {
		return ReviewDecision{}, fmt.Errorf("review %s (decided %s by %s): %w", reviewID, rv.Status, rv.DecidedBy, ErrDecided)
	}
	status := reviewDifferent
	if same {
		status = reviewSame
	}
	d := ReviewDecision{ReviewID: reviewID, Same: same}
	now := s.now()
	entry := backpack.Entry{Action: actionReview, Actor: by, Records: []string{rv.A, rv.B}, SettingsVersion: s.linker.Settings().Version}
	decide := func(tx *sql.Tx) error { return s.store.decideReview(ctx, tx, reviewID, status, by, now) }
	if rv.Kind == reviewEnrollment {
		return s.decideEnrollment(ctx, rv, d, entry, decide)
	}
	return s.decidePair(ctx, rv, d, entry, decide)
}

// decidePair applies a decision on two placed records: "same" across two students merges
// them (the student whose first record came later is retired into the other); "not the
// same" within one student is kept for the next relink, which splits them.
func (s *Server) decidePair(ctx context.Context, rv reviewRow, d ReviewDecision, entry backpack.Entry, decide func(*sql.Tx) error) (ReviewDecision, error) {
	var first [2]int64
	var student [2]string
	for k, id := range []string{rv.A, rv.B} {
		rec, ok, err := s.store.record(ctx, id)
		switch {
		case err != nil:
			return d, fmt.Errorf("service: reading record %s: %w", id, err)
		case !ok:
			return d, &RecordError{Record: id, Err: ErrNoRecord}
		case rec.Student == "":
			return d, &RecordError{Record: id, Err: ErrNotPlaced}
		}
		student[k] = s.resolve(rec.Student)
		recs, err := s.store.studentRecords(ctx, student[k])
		if err != nil {
			return d, fmt.Errorf("service: reading the records of student %s: %w", student[k], err)
		}
		if len(recs) == 0 { // cannot happen: the record itself is the student's
			return d, fmt.Errorf("service: student %s of record %s has no records", student[k], id)
		}
		first[k] = recs[0].Seq
	}
	entries := []backpack.Entry{entry}
	apply := decide
	switch {
	case d.Same && student[0] != student[1]:
		keep, drop := 0, 1
		if first[1] < first[0] {
			keep, drop = 1, 0
		}
		d.Outcome, d.Student, d.Retired = decidedMerged, student[keep], student[drop]
		entries[0].Note = fmt.Sprintf("review %s: record %s %s record %s: student %s merged into %s, its ID retired", rv.ID, rv.A, sameWord(true), rv.B, d.Retired, d.Student)
		if rv.Kind == reviewManual {
			entries = append(entries, backpack.Entry{Action: backpack.ActionMerge, Actor: entry.Actor, StudentID: d.Student, Records: []string{rv.B, rv.A},
				SettingsVersion: entry.SettingsVersion, Note: fmt.Sprintf("record %s joined student %s with record %s: decision %s, made without a queue, merged student %s into it",
					rv.A, d.Student, rv.B, rv.ID, d.Retired)})
		} else {
			var expl score.Explanation
			json.Unmarshal([]byte(rv.Explanation), &expl)
			entries = append(entries, mergeEntry(entry.Actor, d.Student, rv.A, match.Candidate{RecordID: rv.B, Weight: rv.Weight, Explanation: expl}, entry.SettingsVersion,
				fmt.Sprintf("review %s decided the same student; student %s merged into it", rv.ID, d.Retired)))
		}
		apply = func(tx *sql.Tx) error {
			if err := decide(tx); err != nil {
				return err
			}
			return s.store.retire(ctx, tx, d.Retired, d.Student, "review "+rv.ID, s.now())
		}
	case !d.Same && student[0] == student[1]:
		d.Outcome, d.Student = decidedPending, student[0]
		entries[0].Note = fmt.Sprintf("review %s: record %s %s record %s, both of student %s: split at the next relink", rv.ID, rv.A, sameWord(false), rv.B, d.Student)
	default:
		d.Outcome = decidedKept
		entries[0].Note = fmt.Sprintf("review %s: record %s %s record %s: already so (students %s, %s)", rv.ID, rv.A, sameWord(d.Same), rv.B, student[0], student[1])
	}
	entries[0].StudentID = d.Student
	if err := s.commit(ctx, entries, apply); err != nil {
		return d, err
	}
	if d.Retired != "" {
		s.noteRetired(d.Retired, d.Student)
	}
	return d, nil
}

// DecideRecords records a reviewer's decision on any two placed records, queued or not:
// the same student (merging two students at once) or not (splitting one at the next
// relink). It is how a wrong merge that no queue holds is undone.
func (s *Server) DecideRecords(ctx context.Context, a, b string, same bool, by string) (ReviewDecision, error) {
	if a == b {
		return ReviewDecision{}, fmt.Errorf("%w; got %q twice", errSameRecord, a)
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	now := s.now()
	rv := reviewRow{ID: reviewID(s.reviewSeq + 1), Seq: s.reviewSeq + 1, Kind: reviewManual, A: a, B: b, Reason: "decided without a queue",
		Explanation: "{}", Status: reviewDifferent, DecidedBy: by, Decided: now, Created: now}
	if same {
		rv.Status = reviewSame
	}
	entry := backpack.Entry{Action: actionReview, Actor: by, Records: []string{a, b}, SettingsVersion: s.linker.Settings().Version}
	d, err := s.decidePair(ctx, rv, ReviewDecision{ReviewID: rv.ID, Same: same}, entry, func(tx *sql.Tx) error { return s.store.insertReview(ctx, tx, rv) })
	if err == nil {
		s.reviewSeq++
	}
	return d, err
}

// decideEnrollment places a reviewed enrollment: with its candidate's student, or as a
// new student.
func (s *Server) decideEnrollment(ctx context.Context, rv reviewRow, d ReviewDecision, entry backpack.Entry, decide func(*sql.Tx) error) (ReviewDecision, error) {
	rec, ok, err := s.store.record(ctx, rv.A)
	if err != nil || !ok {
		return d, fmt.Errorf("service: review %s: record %s: %v", rv.ID, rv.A, err)
	}
	entries := []backpack.Entry{}
	outcome := match.OutcomeNew
	if d.Same {
		cand, ok, err := s.store.record(ctx, rv.B)
		if err != nil || !ok || cand.Student == "" {
			return d, fmt.Errorf("service: review %s: candidate record %s is not placed (%v)", rv.ID, rv.B, err)
		}
		d.Student, outcome = s.resolve(cand.Student), match.OutcomeMatch
		var expl score.Explanation
		json.Unmarshal([]byte(rv.Explanation), &expl)
		entries = append(entries, mergeEntry(entry.Actor, d.Student, rv.A, match.Candidate{RecordID: rv.B, Weight: rv.Weight, Explanation: expl}, entry.SettingsVersion,
			fmt.Sprintf("review %s decided the enrollment's record the same student as its candidate", rv.ID)))
	} else if d.Student, err = s.newStudent(ctx, rv.A, rec.Fields); err != nil {
		return d, err
	}
	d.Outcome = decidedPlaced
	entry.StudentID = d.Student
	entry.Note = fmt.Sprintf("review %s: enrollment record %s %s record %s: placed with %s (%s)", rv.ID, rv.A, sameWord(d.Same), rv.B, d.Student, outcome)
	entries = append([]backpack.Entry{entry}, entries...)
	r, err := s.recordOf(rv.A, rec.Fields)
	if err != nil {
		return d, err
	}
	err = s.commit(ctx, entries, func(tx *sql.Tx) error {
		if err := decide(tx); err != nil {
			return err
		}
		if err := s.store.setStudent(ctx, tx, rv.A, d.Student); err != nil {
			return err
		}
		return s.store.settleEnrollment(ctx, tx, rv.ID, outcome, d.Student)
	})
	if err != nil {
		return d, err
	}
	return d, s.place(rv.A, r, d.Student, nil)
}

func sameWord(same bool) string {
	if same {
		return "is the same student as"
	}
	return "is not the same student as"
}
