package service

// One SSID, two students. An SSID is the state's ID of one student, but an LEA may post a
// record with another student's SSID (a typo, a sibling's, a copied row) and the index,
// which weighs names and dates too, may place it as a new student. Such a record is
// paired with each other student carrying the SSID in the reviewers' queue; and a
// guardian's request, which names the child by SSID alone, is tied to one student by the
// rule of guardianChild.

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/studentlink/studentlink/match"
)

// ssidOnlyWeight is the weight a review of two records that only the SSID brings together
// shows: far below any threshold (a score of 0), as their names and dates did not make
// either a candidate of the other.
const ssidOnlyWeight = -30

// ssidReviews returns a pending review of a new record (placed with student) against
// one record of each other student carrying its SSID, numbered after s.reviewSeq; with
// the placement's weight and explanation when that record was among its candidates.
func (s *Server) ssidReviews(ctx context.Context, ssid, record, student string, pl match.Placement, now time.Time) ([]reviewRow, error) {
	if ssid == "" {
		return nil, nil
	}
	recs, err := s.store.recordsWhere(ctx, `ssid = ? AND student_id <> ''`, ssid)
	if err != nil {
		return nil, err
	}
	var out []reviewRow
	seen := map[string]bool{student: true}
	for _, r := range recs {
		other := s.resolve(r.Student)
		if seen[other] {
			continue
		}
		seen[other] = true
		best := match.Candidate{RecordID: r.ID, Weight: ssidOnlyWeight}
		if i := slices.IndexFunc(pl.Candidates, func(c match.Candidate) bool { return c.RecordID == r.ID }); i >= 0 {
			best = pl.Candidates[i]
		}
		rv, err := s.pendingReview(reviewRun, record, best, fmt.Sprintf("SSID %s is already student %s's: the same student, or a wrong SSID?", ssid, other), now)
		if err != nil {
			return nil, err
		}
		rv.Seq += int64(len(out))
		rv.ID = reviewID(rv.Seq)
		out = append(out, rv)
	}
	return out, nil
}

// guardianChild chooses, among the students carrying a guardian's SSID, the one the
// request is for. A guardian files at an LEA where the child is enrolled, and the
// staff who approve can forward only a backpack of a student of their LEA, so:
//
//  1. a student whose records carry the SSID only where a reviewer decided them a
//     different student from a record of another of these students that carried the
//     SSID earlier is not the SSID's holder (the SSID stays with who carried it first;
//     the later record's SSID is its LEA's error to correct);
//  2. of the rest, the students holding a record at the request's LEA are kept.
//
// One student left is the child; none or several is an error that names them, for a
// reviewer to settle.
func (s *Server) guardianChild(ctx context.Context, ssid, lea string, recs []recordRow) (string, error) {
	byStudent := map[string][]recordRow{}
	var students []string
	for _, r := range recs {
		sid := s.resolve(r.Student)
		if _, ok := byStudent[sid]; !ok {
			students = append(students, sid)
		}
		byStudent[sid] = append(byStudent[sid], r)
	}
	if len(students) < 2 {
		return students[0], nil
	}
	beaten, err := s.laterClaims(ctx, recs)
	if err != nil {
		return "", err
	}
	holders := slices.DeleteFunc(slices.Clone(students), func(sid string) bool {
		return !slices.ContainsFunc(byStudent[sid], func(r recordRow) bool { return !beaten[r.ID] })
	})
	var here []string
	for _, sid := range holders {
		held, err := s.store.studentRecords(ctx, sid)
		if err != nil {
			return "", err
		}
		if heldBy(held, lea) {
			here = append(here, sid)
		}
	}
	if len(here) == 1 {
		return here[0], nil
	}
	return "", fmt.Errorf("service: SSID %s is carried by %d students (%v), %d of them at LEA %s; a reviewer must settle them first", ssid, len(students), students, len(here), lea)
}

// laterClaims returns the records carrying an SSID that a reviewer decided a different
// student from an earlier record carrying it.
func (s *Server) laterClaims(ctx context.Context, recs []recordRow) (map[string]bool, error) {
	seq := map[string]int64{}
	for _, r := range recs {
		seq[r.ID] = r.Seq
	}
	decided, err := s.store.reviewsWhere(ctx, `status = ?`, reviewDifferent)
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, rv := range decided {
		a, okA := seq[rv.A]
		b, okB := seq[rv.B]
		switch {
		case !okA || !okB:
		case a > b:
			out[rv.A] = true
		default:
			out[rv.B] = true
		}
	}
	return out, nil
}
